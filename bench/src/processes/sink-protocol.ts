/**
 * The sink service's framing, shared by the sink and the senders: an 8-byte
 * big-endian length, then that many bytes; the sink answers one byte when all
 * of them arrived. No FIN is needed, so it works through the legacy relay.
 */
export const SINK_HEADER_BYTES = 8;

export function sinkHeader(bytes: number): Buffer {
  const header = Buffer.alloc(SINK_HEADER_BYTES);
  header.writeBigUInt64BE(BigInt(bytes));
  return header;
}

/** Ports of the services process (see services.ts). */
export interface ServicePorts {
  echo: number;
  sink: number;
  stall: number;
}
