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
  type FlagValue,
  type FlagValues,
  perTunnel,
} from "./flags.js";
export {
  createLogger,
  formatBytes,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFields,
  type LogFormat,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogSettings,
  localTime,
  type ProgramLogger,
  plural,
} from "./logger.js";
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
  commonFlags,
  connectTimeoutFlag,
  EXIT_STATUS_EPILOG,
  handshakeTimeoutFlag,
  heartbeatFlag,
  idleTimeoutFlag,
  LIVE_KEYS,
  lifecycleFlags,
  logFlags,
  statusFlags,
  timeoutFlag,
  toMs,
  uniqueIdFlag,
} from "./presets.js";
export { RepeatLimiter, type RepeatLimiterOptions } from "./rate-limit.js";
export { reportError } from "./report.js";
export { type CliIo, logSettingsOf, type RunInvocation, type Running, runCli } from "./run.js";
export {
  announceServer,
  type ClientSecurity,
  clientSecurity,
  clientTlsFlags,
  type ServerSecurity,
  serverSecurity,
  serverTlsFlags,
  type TokenFlagValues,
  tokenFlags,
} from "./security.js";
export {
  type AnyService,
  describeConnections,
  describeOpen,
  logServiceEvents,
  messageOf,
  type ProgramInfo,
  type ServiceListener,
  trafficSummary,
} from "./service-log.js";
export type { SignalSource } from "./signals.js";
export { suggestName } from "./suggest.js";
export { type Lookup, warnIfUnresolvable } from "./tunnels/host-check.js";
export { placeError, type ValueSource } from "./tunnels/place-error.js";
export type {
  ProgramStatus,
  RunningTunnel,
  TunnelContext,
  TunnelDescription,
  TunnelProgram,
} from "./tunnels/program.js";
export { asRelease } from "./tunnels/program.js";
export { describeReload } from "./tunnels/reload.js";
export { runProgram, startProgram } from "./tunnels/run-program.js";
export { StatusPage, type StatusSettings, tunnelSetProvider } from "./tunnels/status-page.js";
export {
  type ChangedTunnels,
  type ClosedListener,
  type ReloadOutcome,
  TunnelSet,
  type TunnelSetOptions,
} from "./tunnels/tunnel-set.js";
export { inFlagWords, usageError } from "./usage-error.js";
