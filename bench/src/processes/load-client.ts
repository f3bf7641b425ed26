/**
 * The load generator, in a process of its own (forked by the bench): it plays
 * the client side of every measurement except iperf3, so client work never
 * competes with the forwarder inside one event loop.
 */
import { serve } from "../child/rpc.ts";
import { connRate } from "../load/conn-rate.ts";
import { firstByte } from "../load/first-byte.ts";
import { hold, release } from "../load/idle-hold.ts";
import { pushStalled } from "../load/push-stalled.ts";
import { roundTrips } from "../load/round-trips.ts";
import { stream } from "../load/stream.ts";

export const loadTasks = { stream, roundTrips, connRate, firstByte, hold, release, pushStalled };
export type LoadTasks = typeof loadTasks;

serve(loadTasks);
