/** Every configuration the bench compares, in the order of the first repetition. */
import { direct } from "./direct.ts";
import { haproxy } from "./haproxy.ts";
import { legacyUser } from "./legacy-user.ts";
import {
  multiPairLegacy,
  multiPairV2,
  multiPairV2HeartbeatOff,
  multiPairV2Tls,
} from "./multi-pair.ts";
import { nodePipe } from "./node-pipe.ts";
import { socatBig, socatDefault } from "./socat.ts";
import { sshLocalAes128, sshLocalDefault } from "./ssh-local.ts";
import { sshRemoteAes128, sshRemoteDefault } from "./ssh-remote.ts";
import { stunnelPair } from "./stunnel.ts";
import { tcpForwardingDefault, tcpForwardingStream } from "./tcp-forwarding.ts";
import { tcpForwardingStatus } from "./tcp-forwarding-status.ts";
import type { Config } from "./types.ts";
import { userPairLegacy, userPairV2, userPairV2Tls } from "./user-pair.ts";

export const allConfigs: readonly Config[] = [
  direct,
  tcpForwardingDefault,
  tcpForwardingStream,
  tcpForwardingStatus,
  userPairLegacy,
  userPairV2,
  userPairV2Tls,
  multiPairLegacy,
  multiPairV2,
  multiPairV2Tls,
  multiPairV2HeartbeatOff,
  legacyUser,
  sshLocalDefault,
  sshLocalAes128,
  sshRemoteDefault,
  sshRemoteAes128,
  stunnelPair,
  socatDefault,
  socatBig,
  haproxy,
  nodePipe,
];
