// Compiles attribution/contracts/*.sol with solc from npm (standard JSON) and writes
// attribution/contracts/generated/<Name>.ts (ABI + creation bytecode, "generated, do not edit").
// `npm run build:contracts` runs it; compileContracts.test.ts regenerates and fails on any
// difference from the committed files (house style §13).

import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

export const CONTRACTS_DIR = fileURLToPath(new URL('./contracts/', import.meta.url));
export const GENERATED_DIR = join(CONTRACTS_DIR, 'generated');

/** Pinned settings: changing them changes the bytecode, so the check test notices. */
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
};

interface SolcOutput {
  errors?: Array<{ severity: string; formattedMessage: string }>;
  contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

/** Returns file name -> generated TypeScript source, for every contract in CONTRACTS_DIR. */
export function generateContractSources(): Map<string, string> {
  const sources: Record<string, { content: string }> = {};
  for (const f of readdirSync(CONTRACTS_DIR).filter((n) => n.endsWith('.sol')).sort()) {
    sources[f] = { content: readFileSync(join(CONTRACTS_DIR, f), 'utf8') };
  }
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const out = new Map<string, string>();
  for (const file of Object.keys(output.contracts).sort()) {
    for (const [name, c] of Object.entries(output.contracts[file]!)) {
      out.set(`${name}.ts`, [
        `// generated, do not edit: \`npm run build:contracts\` writes this from ${file}`,
        `// (solc ${solc.version()}, ${JSON.stringify({ optimizer: SETTINGS.optimizer, evmVersion: SETTINGS.evmVersion })})`,
        '',
        `export const ${name}Abi = ${JSON.stringify(c.abi, null, 2)} as const;`,
        '',
        `export const ${name}Bytecode = '0x${c.evm.bytecode.object}' as const;`,
        '',
      ].join('\n'));
    }
  }
  return out;
}

export function writeContractSources(): string[] {
  mkdirSync(GENERATED_DIR, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of generateContractSources()) {
    writeFileSync(join(GENERATED_DIR, name), text);
    written.push(join(GENERATED_DIR, name));
  }
  return written;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const path of writeContractSources()) console.log(`wrote ${path}`);
}
