/**
 * The home-NAT test bed, one network namespace per host:
 *
 *   lan 192.168.77.2 ── rtr (NAT) 192.168.77.1 | 198.51.100.1 ── wan (bridge)
 *                                                                 ├─ pub 198.51.100.2
 *                                                                 ├─ vis 198.51.100.3
 *                                                                 └─ atk 198.51.100.4
 *
 * Only private and documentation addresses, only inside namespaces made here.
 */
import { sleep } from "./clock.js";
import {
  addNamespace,
  ipIn,
  newRunPrefix,
  removeNamespace,
  removeNamespaceSync,
  removeStaleNamespaces,
} from "./netns.js";
import { type NsProcess, type NsStartOptions, startNodeIn } from "./ns-process.js";
import {
  configureRouter,
  conntrackCount,
  flushConntrack,
  invalidDrops,
  setBlackout,
} from "./router.js";

export const HOSTS = ["lan", "rtr", "wan", "pub", "vis", "atk"] as const;
export type Host = (typeof HOSTS)[number];

export const ADDRESSES = {
  lan: "192.168.77.2",
  routerLan: "192.168.77.1",
  routerWan: "198.51.100.1",
  pub: "198.51.100.2",
  vis: "198.51.100.3",
  atk: "198.51.100.4",
} as const;

/** The router's interfaces (names are per namespace, so short fixed ones are safe). */
const ROUTER = { lan: "lan0", wan: "wan0" };

export class HomeNat {
  private readonly processes = new Set<NsProcess>();
  private destroyed: Promise<void> | undefined;
  private readonly onExit = () => this.removeSync();

  private constructor(readonly prefix: string) {
    process.on("exit", this.onExit);
  }

  /** Removes leftovers of killed runs, then builds the topology (and removes it again if that fails). */
  static async build(): Promise<HomeNat> {
    await removeStaleNamespaces();
    const nat = new HomeNat(newRunPrefix());
    try {
      await nat.wire();
    } catch (err) {
      await nat.destroy();
      throw err;
    }
    return nat;
  }

  /** The namespace name of a host. */
  ns(host: Host): string {
    return `${this.prefix}-${host}`;
  }

  /** Starts `node script args` on `host`; destroy() kills it if the test did not. */
  startNode(
    host: Host,
    name: string,
    script: string,
    args: readonly string[],
    options?: NsStartOptions,
  ): NsProcess {
    const started = startNodeIn(this.ns(host), `${name}@${host}`, script, args, options);
    this.processes.add(started);
    void started.exited.then(() => this.processes.delete(started));
    return started;
  }

  /**
   * Cuts (or restores) the uplink: a DROP rule first in the router's FORWARD
   * chain. Packets vanish without a trace, as when the line beyond the router
   * dies: no link goes down, no ICMP comes back, conntrack keeps its flows,
   * so neither end learns anything from the network itself.
   */
  blackout(on: boolean): Promise<void> {
    return setBlackout(this.ns("rtr"), on);
  }

  /** The router forgets every flow (`conntrack -F`); resolves with how many it knew. */
  forgetNat(): Promise<number> {
    return flushConntrack(this.ns("rtr"));
  }

  /** Flows the router tracks now. */
  natFlows(): Promise<number> {
    return conntrackCount(this.ns("rtr"));
  }

  /** Packets the router dropped as INVALID so far (the traces of forgotten flows). */
  invalidDrops(): Promise<{ forwarded: number; toRouter: number }> {
    return invalidDrops(this.ns("rtr"));
  }

  /**
   * A router reboot: the WAN link goes down, every flow is forgotten, and the
   * link comes back after `downMs`.
   */
  async rebootRouter(downMs = 1000): Promise<void> {
    const rtr = this.ns("rtr");
    await ipIn(rtr, ["link", "set", ROUTER.wan, "down"]);
    await flushConntrack(rtr);
    await sleep(downMs);
    await ipIn(rtr, ["link", "set", ROUTER.wan, "up"]);
  }

  /** Kills every process and removes every namespace, whatever state they are in. */
  destroy(): Promise<void> {
    this.destroyed ??= this.teardown();
    return this.destroyed;
  }

  private async teardown(): Promise<void> {
    await Promise.all([...this.processes].map((p) => p.stop("SIGKILL")));
    const errors: unknown[] = [];
    for (const host of HOSTS) {
      await removeNamespace(this.ns(host)).catch((err: unknown) => errors.push(err));
    }
    process.off("exit", this.onExit);
    if (errors.length > 0) throw errors[0];
  }

  private removeSync(): void {
    for (const started of this.processes) started.child.kill("SIGKILL");
    for (const host of HOSTS) removeNamespaceSync(this.ns(host));
  }

  private async wire(): Promise<void> {
    for (const host of HOSTS) await addNamespace(this.ns(host));
    for (const host of HOSTS) await ipIn(this.ns(host), ["link", "set", "lo", "up"]);

    // Home side: the PC's eth0 to the router's LAN port.
    await this.veth("lan", "eth0", "rtr", ROUTER.lan);
    await this.address("lan", "eth0", `${ADDRESSES.lan}/24`);
    await this.address("rtr", ROUTER.lan, `${ADDRESSES.routerLan}/24`);
    await ipIn(this.ns("lan"), ["route", "add", "default", "via", ADDRESSES.routerLan]);

    // Internet side: a bridge joining the router's WAN port, the server, the visitor, the attacker.
    const wan = this.ns("wan");
    await ipIn(wan, ["link", "add", "br0", "type", "bridge"]);
    await ipIn(wan, ["link", "set", "br0", "up"]);
    await this.veth("rtr", ROUTER.wan, "wan", "rtr");
    await this.address("rtr", ROUTER.wan, `${ADDRESSES.routerWan}/24`);
    for (const host of ["pub", "vis", "atk"] as const) {
      await this.veth(host, "eth0", "wan", host);
      await this.address(host, "eth0", `${ADDRESSES[host]}/24`);
    }
    for (const port of ["rtr", "pub", "vis", "atk"]) {
      await ipIn(wan, ["link", "set", port, "master", "br0"]);
    }

    await configureRouter(this.ns("rtr"), ROUTER);
  }

  /** A veth pair from `a`'s `aName` to `b`'s `bName`, both ends up. */
  private async veth(a: Host, aName: string, b: Host, bName: string): Promise<void> {
    await ipIn(this.ns(a), [
      "link",
      "add",
      aName,
      "type",
      "veth",
      "peer",
      "name",
      bName,
      "netns",
      this.ns(b),
    ]);
    await ipIn(this.ns(a), ["link", "set", aName, "up"]);
    await ipIn(this.ns(b), ["link", "set", bName, "up"]);
  }

  private async address(host: Host, dev: string, cidr: string): Promise<void> {
    await ipIn(this.ns(host), ["addr", "add", cidr, "dev", dev]);
  }
}
