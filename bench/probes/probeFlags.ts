// Flags of the probe scripts (decodeProbe, stepProfile): `--name value` pairs, or a bare `--name`
// (set to '1'). Anything else is an error.
export function probeFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) flags.set(a.slice(2), '1');
    else (flags.set(a.slice(2), next), i++);
  }
  return flags;
}
