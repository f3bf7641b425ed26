import { release } from "node:os";
import { freshResults } from "../src/results.js";

/** Each run of the project starts test-results/faults.json afresh. */
export default function setup(): void {
  freshResults(release());
}
