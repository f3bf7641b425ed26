#!/usr/bin/env node
/**
 * A legacy peer: plays one of the legacy Python tools on the wire, for
 * interoperability tests. Plain Node.js, no dependencies. It takes the
 * flags of the reference stand-in (uvm_peer.py) and prints one line per
 * event on stdout; a listening mode's first line names the address it
 * really bound, so `--bind_port 0` works.
 *
 *   legacy-peer.mjs user-server  --bind_host H --bind_port P
 *   legacy-peer.mjs user-client  --server_host H --server_port P --bind_host H --bind_port P
 *                                --server_target_host IPV4 --server_target_port P [--unique_id ID]
 *   legacy-peer.mjs multi-server --bind_host H --bind_port P
 *   legacy-peer.mjs multi-client --server_host H --server_port P --target_host H --target_port P
 *                                --server_target_port P [--unique_id ID]
 *
 * Exit status: 0 after SIGINT or SIGTERM, 1 if it cannot start (a port in
 * use), 2 on bad usage. docs/legacy-protocol.md describes the behaviour.
 */
import { isIPv4 } from "node:net";
import { parseArgs } from "node:util";
import { padId } from "./frame.mjs";
import { multiClient, multiServer } from "./multi.mjs";
import { userClient, userServer } from "./user.mjs";

const MODES = {
  "user-server": { run: userServer, ports: [] },
  "user-client": { run: userClient, ports: ["server_port", "server_target_port"] },
  "multi-server": { run: multiServer, ports: [] },
  "multi-client": { run: multiClient, ports: ["server_port", "target_port", "server_target_port"] },
};
const PORT_FLAGS = ["bind_port", "server_port", "server_target_port", "target_port"];
const HOST_DEFAULTS = {
  bind_host: "0.0.0.0",
  server_host: "127.0.0.1",
  server_target_host: "127.0.0.1",
  target_host: "localhost",
};

/** Turns argv into the flags of one mode, or throws a one-line usage error. */
function parseCommandLine(argv) {
  const options = { unique_id: { type: "string", default: "0".repeat(16) } };
  for (const name of PORT_FLAGS) options[name] = { type: "string" };
  for (const [name, value] of Object.entries(HOST_DEFAULTS)) {
    options[name] = { type: "string", default: value };
  }
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true });
  const [modeName, ...extra] = positionals;
  const mode = MODES[modeName];
  if (!mode || extra.length > 0) {
    throw new Error(`the first argument is the mode: ${Object.keys(MODES).join(", ")}`);
  }
  const flags = { ...values, bind_port: values.bind_port ?? "0" };
  for (const name of PORT_FLAGS) {
    if (flags[name] === undefined) {
      if (mode.ports.includes(name)) throw new Error(`${modeName} needs --${name}`);
      continue;
    }
    const port = Number(flags[name]);
    if (!/^\d+$/.test(flags[name]) || port > 65535) {
      throw new Error(`--${name} must be a port number from 0 to 65535, got "${flags[name]}"`);
    }
    flags[name] = port;
  }
  flags.unique_id = padId(values.unique_id);
  if (flags.unique_id === undefined) throw new Error("--unique_id must be at most 16 characters");
  if (modeName === "user-client" && !isIPv4(flags.server_target_host)) {
    throw new Error(
      "--server_target_host must be an IPv4 address: the legacy frame has no room for names",
    );
  }
  return { modeName, mode, flags };
}

let command;
try {
  command = parseCommandLine(process.argv.slice(2));
} catch (err) {
  console.error(`legacy-peer: ${err.message}`);
  process.exit(2);
}
const { modeName, mode, flags } = command;
const stop = (signal) => {
  console.log(`${modeName} stopped (${signal})`);
  process.exit(0); // the sockets go with the process, as they did with the legacy tools
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
mode
  .run(flags, (line) => console.log(line))
  .catch((err) => {
    console.error(`${modeName}: ${err.message}`);
    process.exit(1);
  });
