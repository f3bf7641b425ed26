/**
 * The home router's firewall: a real NAT as consumer routers ship it, set up
 * with iptables and sysctl inside the router's namespace.
 */
import { execIn } from "./netns.js";

/** The chain a blackout fills with one DROP: jumped to before any other FORWARD rule. */
const BLACKOUT_CHAIN = "FWDF-BLACKOUT";

export interface RouterPorts {
  lan: string;
  wan: string;
}

/**
 * Masquerades the LAN behind the WAN address; from the WAN only replies to
 * flows the router knows get in (forwarded or to the router itself);
 * packets conntrack calls INVALID are dropped both ways. With
 * nf_conntrack_tcp_loose=0 conntrack does not adopt a mid-stream packet of
 * a flow it has forgotten, so after `conntrack -F` such packets are INVALID:
 * the flows are dead, as behind a router that lost its NAT table.
 */
export async function configureRouter(ns: string, { lan, wan }: RouterPorts): Promise<void> {
  const iptables = (...args: string[]) => execIn(ns, "iptables", ["-w", "5", ...args]);
  await iptables("-t", "nat", "-A", "POSTROUTING", "-o", wan, "-j", "MASQUERADE");
  await iptables("-P", "FORWARD", "DROP");
  await iptables("-N", BLACKOUT_CHAIN);
  await iptables("-A", "FORWARD", "-j", BLACKOUT_CHAIN);
  await iptables("-A", "FORWARD", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP");
  await iptables(
    "-A",
    "FORWARD",
    "-m",
    "conntrack",
    "--ctstate",
    "ESTABLISHED,RELATED",
    "-j",
    "ACCEPT",
  );
  await iptables(
    "-A",
    "FORWARD",
    "-i",
    lan,
    "-o",
    wan,
    "-m",
    "conntrack",
    "--ctstate",
    "NEW",
    "-j",
    "ACCEPT",
  );
  await iptables("-A", "FORWARD", "-i", wan, "-j", "DROP");
  // A forgotten flow's packets from the WAN are addressed to the router
  // itself (nothing translates them back): drop them there too, silently.
  await iptables("-A", "INPUT", "-i", wan, "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP");
  await iptables(
    "-A",
    "INPUT",
    "-i",
    wan,
    "-m",
    "conntrack",
    "--ctstate",
    "ESTABLISHED,RELATED",
    "-j",
    "ACCEPT",
  );
  await iptables("-A", "INPUT", "-i", wan, "-j", "DROP");
  // The conntrack sysctls exist once the rules above loaded conntrack in this namespace.
  await sysctl(ns, "net.ipv4.ip_forward", "1");
  await sysctl(ns, "net.netfilter.nf_conntrack_tcp_loose", "0");
}

async function sysctl(ns: string, key: string, value: string): Promise<void> {
  await execIn(ns, "sysctl", ["-q", "-w", `${key}=${value}`]);
  const read = (await execIn(ns, "sysctl", ["-n", key])).trim();
  if (read !== value) throw new Error(`sysctl ${key} is ${read} in ${ns}, not ${value}`);
}

/** Starts or ends a blackout: every packet between LAN and WAN silently dropped. */
export async function setBlackout(ns: string, on: boolean): Promise<void> {
  await execIn(ns, "iptables", ["-w", "5", "-F", BLACKOUT_CHAIN]);
  if (on) await execIn(ns, "iptables", ["-w", "5", "-A", BLACKOUT_CHAIN, "-j", "DROP"]);
}

/** Forgets every flow (`conntrack -F`); resolves with how many there were. */
export async function flushConntrack(ns: string): Promise<number> {
  const before = await conntrackCount(ns);
  await execIn(ns, "conntrack", ["-F"]).catch((err: Error) => {
    // conntrack -F reports on stderr and may exit non-zero on an empty table
    if (!/flow entries have been deleted|0 flow entries/.test(err.message)) throw err;
  });
  return before;
}

/** Flows conntrack tracks now. */
export async function conntrackCount(ns: string): Promise<number> {
  const out = await execIn(ns, "conntrack", ["-C"]);
  return Number(out.trim());
}

/** Packets dropped as INVALID: forwarded (LAN → WAN) and addressed to the router (WAN → forgotten flows). */
export async function invalidDrops(ns: string): Promise<{ forwarded: number; toRouter: number }> {
  const count = async (chain: string) => {
    const out = await execIn(ns, "iptables", ["-w", "5", "-L", chain, "-v", "-n", "-x"]);
    const line = out.split("\n").find((l) => /ctstate INVALID/.test(l) && /\bDROP\b/.test(l));
    return Number(line?.trim().split(/\s+/)[0] ?? Number.NaN);
  };
  return { forwarded: await count("FORWARD"), toRouter: await count("INPUT") };
}
