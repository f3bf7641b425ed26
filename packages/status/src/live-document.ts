import type { LiveStatusDocument, StatusDocument } from "./document.js";
import type { RateSampler } from "./rate-sampler.js";

/** The provider's document plus what the status server measured: rates, history, uptime. */
export function liveDocument(doc: StatusDocument, sampler: RateSampler): LiveStatusDocument {
  const uptime = (Date.parse(doc.now) - Date.parse(doc.startedAt)) / 1000;
  return {
    ...doc,
    uptimeSeconds: Number.isFinite(uptime) ? Math.max(0, Math.floor(uptime)) : 0,
    tunnels: doc.tunnels.map((tunnel) => ({
      ...tunnel,
      rates: sampler.rates(tunnel.name),
      history: sampler.history(tunnel.name),
    })),
  };
}
