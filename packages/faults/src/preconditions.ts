/**
 * What the fault tests need from the machine: Linux, root, iproute2's `ip`
 * with network namespaces, iptables (nf_tables or legacy), conntrack and
 * sysctl, all working inside a fresh namespace.
 */
import { run } from "./command.js";
import { addNamespace, execIn, newRunPrefix, removeNamespace } from "./netns.js";

export type Readiness = { ok: true } | { ok: false; reason: string };

const INSTALL_HINT =
  "install them with apt-get (iptables conntrack iproute2): .ci/run should call .ci/netns-tools, and run as root";

let checked: Promise<Readiness> | undefined;

/** Checks once per process; never throws. */
export function checkNetns(): Promise<Readiness> {
  checked ??= check();
  return checked;
}

async function check(): Promise<Readiness> {
  if (process.platform !== "linux") return notReady("network namespaces need Linux");
  if (process.getuid?.() !== 0) {
    return notReady("network namespaces need root (run the tests as root, as CI does)");
  }
  const missing: string[] = [];
  const tools: Array<[string, string[]]> = [
    ["ip", ["-V"]],
    ["iptables", ["-V"]],
    ["conntrack", ["-V"]],
    ["sysctl", ["--version"]],
  ];
  for (const [tool, args] of tools) {
    await run(tool, args).catch(() => missing.push(tool));
  }
  if (missing.length > 0) return notReady(`missing ${missing.join(", ")}; ${INSTALL_HINT}`);
  const probe = `${newRunPrefix()}-probe`;
  try {
    await addNamespace(probe);
    await execIn(probe, "iptables", [
      "-w",
      "5",
      "-A",
      "FORWARD",
      "-m",
      "conntrack",
      "--ctstate",
      "INVALID",
      "-j",
      "DROP",
    ]);
    await execIn(probe, "conntrack", ["-L"]);
    await execIn(probe, "sysctl", ["-n", "net.netfilter.nf_conntrack_tcp_loose"]);
  } catch (err) {
    return notReady(
      `the tools are there but do not work in a network namespace (${(err as Error).message.trim()}); ${INSTALL_HINT}`,
    );
  } finally {
    await removeNamespace(probe).catch(() => {});
  }
  return { ok: true };
}

function notReady(reason: string): Readiness {
  return { ok: false, reason: `fault tests cannot run: ${reason}` };
}
