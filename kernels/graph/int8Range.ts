// How many levels the int8 weight quantizer may use on this CPU (one selector, house style §4).
//
// DynamicQuantizeMatMul multiplies uint8 activations by int8 weights. On x86 without VNNI, MLAS
// does this with vpmaddubsw, which adds two u8·s8 products into a saturating int16: with 8-bit
// weights 2·255·127 = 64,770 > 32,767 overflows (on an AVX2-only host the int8 logits drift far
// from fp32: docs/benchmarks.md has the figures). 7-bit weights (|q| <= 63: 2·255·63 = 32,130) cannot overflow, which is
// onnxruntime's own `reduce_range` advice for non-VNNI machines. VNNI (vpdpbusd accumulates in
// int32), AMX and ARM's sdot/udot never saturate, so they keep the full 8-bit range.
//
//   full    -> q in [-127, 127]
//   reduced -> q in [-63, 63]
import { readFileSync } from 'node:fs';
import { arch } from 'node:os';

export type Int8Range = 'full' | 'reduced';

/** Largest |q| for a range. */
export function int8Levels(range: Int8Range): number {
  return range === 'full' ? 127 : 63;
}

/** The range for a CPU, from its architecture and (x86) /proc/cpuinfo flags; unknown x86 -> reduced. */
export function int8RangeFor(cpuArch: string, cpuFlags: ReadonlySet<string> | null): Int8Range {
  if (cpuArch !== 'x64' && cpuArch !== 'ia32') return 'full';
  if (!cpuFlags) return 'reduced';
  return ['avx512_vnni', 'avx_vnni', 'amx_int8'].some((f) => cpuFlags.has(f)) ? 'full' : 'reduced';
}

let hostRange: Int8Range | undefined;

/** The range for this machine (read once). */
export function hostInt8Range(): Int8Range {
  hostRange ??= int8RangeFor(arch(), cpuFlags());
  return hostRange;
}

function cpuFlags(): Set<string> | null {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => /^flags\s*:/.test(l));
    return line ? new Set(line.split(':')[1]!.trim().split(/\s+/)) : null;
  } catch {
    return null; // not Linux: no flags to read
  }
}
