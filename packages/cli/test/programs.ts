/** The five programs' real specs, for tests that check config files against them. */
export { spec as multiClient } from "../../multi-client/src/cli.js";
export { spec as multiServer } from "../../multi-server/src/cli.js";
export { spec as tcpForwarding } from "../../tcp-forwarding/src/cli.js";
export { spec as userClient } from "../../user-client/src/cli.js";
export { spec as userServer } from "../../user-server/src/cli.js";
