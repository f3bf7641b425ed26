/**
 * @fwd/core/protocol: the handshake codecs, pure state machines fed bytes,
 * for tools that speak fwd's wire formats themselves (docs/legacy-protocol.md
 * and docs/protocol-v2.md describe them).
 */
export type { FrameParser, Parsed } from "./protocol/frame-parser.js";
export {
  decodeLegacyRequest,
  encodeLegacyReply,
  encodeLegacyRequest,
  LEGACY_EX,
  LEGACY_ID_SIZE,
  LEGACY_OK,
  LEGACY_REPLY_SIZE,
  LEGACY_REQUEST_SIZE,
  type LegacyReply,
  LegacyReplyParser,
  type LegacyRequest,
  LegacyRequestParser,
  padUniqueId,
} from "./protocol/legacy.js";
export {
  decodeChallenge,
  decodeHello,
  decodePaired,
  decodeReply,
  decodeRequest,
  encodeChallenge,
  encodeFrame,
  encodeHello,
  encodePaired,
  encodeReply,
  encodeRequest,
  FrameType,
  type FrameTypeValue,
  ReplyCode,
  type ReplyName,
  type RequestKind,
  replyFields,
  requestFields,
  V2_MAX_BODY,
  V2_VERSION,
  type V2Frame,
  V2FrameParser,
  type V2Reply,
  type V2Request,
} from "./protocol/v2.js";
