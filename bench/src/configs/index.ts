/** Every configuration the bench compares, in the order of the first repetition. */
import { direct } from "./direct.ts";
import { haproxy } from "./haproxy.ts";
import { legacyUser } from "./legacy-user.ts";
import { multiPair } from "./multi-pair.ts";
import { nodePipe } from "./node-pipe.ts";
import { socatBig, socatDefault } from "./socat.ts";
import { tcpForwardingDefault, tcpForwardingStream } from "./tcp-forwarding.ts";
import type { Config } from "./types.ts";
import { userPair } from "./user-pair.ts";

export const allConfigs: readonly Config[] = [
  direct,
  tcpForwardingDefault,
  tcpForwardingStream,
  userPair,
  multiPair,
  legacyUser,
  socatDefault,
  socatBig,
  haproxy,
  nodePipe,
];
