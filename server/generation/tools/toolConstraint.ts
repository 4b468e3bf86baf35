// tool_choice "required" or a named function, enforced: a ConstraintSpec (run by the engine's
// constrained decoding) that allows only the family's call syntax (toolCallFormats.ts), a function
// name among the allowed tools, and that tool's parameters schema as the arguments:
//
//   hermes, one call:   "<tool_call>\n" + one_of(call(tool) for tool) + "\n</tool_call>"
//   call(tool):         '{"name": "<name>", "arguments": ' + json_schema(parameters) + '}'
//   parallel calls:     open + repeat(one_of(...), separator = between, min 1) + end
//
// A tool without parameters takes an empty object. A schema constrained decoding cannot enforce
// is a 400 naming tools[i].function.parameters and the keyword.
import { validateConstraint, type ChatTemplateTool, type ConstraintSpec } from '../../../kernels/index.ts';
import type { ToolCallFormat } from './toolCallFormats.ts';

const EMPTY_PARAMETERS = { type: 'object', properties: {}, additionalProperties: false };

function literal(text: string): ConstraintSpec[] {
  return text === '' ? [] : [{ type: 'literal', text }];
}

function sequence(parts: ConstraintSpec[]): ConstraintSpec {
  return parts.length === 1 ? parts[0]! : { type: 'sequence', parts };
}

export function toolCallConstraint(
  format: ToolCallFormat,
  tools: readonly ChatTemplateTool[],
  opts: { parallel: boolean; paramOf: (name: string) => string },
): ConstraintSpec {
  const calls = tools.map((t): ConstraintSpec => {
    const schema = t.function.parameters ?? EMPTY_PARAMETERS;
    const args: ConstraintSpec = { type: 'json_schema', schema };
    validateConstraint(args, opts.paramOf(t.function.name));
    return sequence([
      ...literal(`{"name": ${JSON.stringify(t.function.name)}, "${format.argsKey}": `),
      args,
      ...literal('}'),
    ]);
  });
  const one: ConstraintSpec = calls.length === 1 ? calls[0]! : { type: 'one_of', options: calls };
  const body: ConstraintSpec = opts.parallel
    ? { type: 'repeat', item: one, separator: format.emit.between, min: 1 }
    : one;
  const spec = sequence([...literal(format.emit.open), body, ...literal(format.emit.end)]);
  validateConstraint(spec, 'tool_choice');
  return spec;
}
