/**
 * What every fwd command line shares: flag parsing with strict checks, the
 * exit statuses, stop signals and log lines. Used by the @fwd/* bins.
 */
export * from "./config/index.js";
export {
  type CheckContext,
  checkFlagText,
  convertFlag,
  type FlagCheck,
  type FlagKind,
  type FlagScope,
  type FlagSpec,
  type FlagSpecs,
  type FlagValues,
  perTunnel,
} from "./flags.js";
export { createLogger, formatBytes, type Logger } from "./logger.js";
export {
  buildFromArgv,
  type CliSpec,
  type ParseOptions,
  type ParseResult,
  parseCommandLine,
  type TunnelClaim,
} from "./parse.js";
export {
  bindHostFlag,
  bindPortFlag,
  connectTimeoutFlag,
  EXIT_STATUS_EPILOG,
  handshakeTimeoutFlag,
  heartbeatFlag,
  idleTimeoutFlag,
  lifecycleFlags,
  timeoutFlag,
  toMs,
  uniqueIdFlag,
} from "./presets.js";
export { reportError } from "./report.js";
export { type CliIo, type Running, runCli } from "./run.js";
export {
  announceServer,
  type ClientSecurity,
  clientSecurity,
  clientTlsFlags,
  type ServerSecurity,
  serverSecurity,
  serverTlsFlags,
  tokenFlags,
} from "./security.js";
export {
  type AnyService,
  describeOpen,
  logServiceEvents,
  messageOf,
  type ProgramInfo,
  superviseService,
} from "./service-log.js";
export { suggestName } from "./suggest.js";
export { inFlagWords, usageError } from "./usage-error.js";
