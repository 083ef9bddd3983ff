// Checks Grafana dashboards against Grafana's own schema types (@grafana/schema, the line of the
// schemaVersion they declare): each dashboard becomes a TypeScript literal that must satisfy the
// dashboard type, with its timeseries panels' options, field config and Prometheus queries typed
// by the plugins' schemas; tsc's excess-property check refuses unknown or misspelt fields.
// Usage: node check.mjs DASHBOARD.json... ; prints "ok <file>" per dashboard, exits 1 on an error.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

// Grafana 10.4 writes schemaVersion 39; @grafana/schema 10.4.x describes that version.
const SCHEMA_VERSION = 39;
const PANEL_TYPES = ['timeseries'];

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'generated');
mkdirSync(out, { recursive: true });

const header = `import type { Dashboard, FieldConfig as Field, FieldConfigSource, Panel } from '@grafana/schema';
import type { FieldConfig, Options } from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import type { PrometheusDataQuery } from '@grafana/schema/dist/esm/raw/composable/prometheus/dataquery/x/PrometheusDataQuery_types.gen';
// JSON holds an enum's value, not its name: each string enum becomes the union of its values.
type Json<T> = T extends string ? \`\${T}\` : T extends (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
type TimeSeries = Omit<Panel, 'type' | 'targets' | 'options' | 'fieldConfig'> & {
  type: 'timeseries';
  targets: PrometheusDataQuery[];
  options: Options;
  fieldConfig: Omit<FieldConfigSource, 'defaults'> & { defaults: Omit<Field, 'custom'> & { custom?: FieldConfig } };
};
type Checked = Omit<Dashboard, 'panels'> & { panels: TimeSeries[] };
`;

const refused = new Set();
const files = [];
for (const [i, file] of process.argv.slice(2).entries()) {
  const text = readFileSync(file, 'utf8');
  const dashboard = JSON.parse(text);
  if (dashboard.schemaVersion !== SCHEMA_VERSION) {
    console.log(`FAILED ${file}: schemaVersion ${dashboard.schemaVersion}, these types describe ${SCHEMA_VERSION}`);
    refused.add(file);
  }
  for (const panel of dashboard.panels ?? []) {
    if (!PANEL_TYPES.includes(panel.type)) {
      console.log(`FAILED ${file}: panel "${panel.title}" is a ${panel.type}; the check types ${PANEL_TYPES}`);
      refused.add(file);
    }
  }
  const generated = join(out, `dashboard${i}.gen.ts`);
  writeFileSync(generated, `${header}// ${basename(file)}\nexport const dashboard = ${text.trim()} satisfies Json<Checked>;\n`);
  files.push([file, generated]);
}

const program = ts.createProgram(files.map(([, generated]) => generated), {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Node10,
});
const diagnostics = ts.getPreEmitDiagnostics(program);
for (const d of diagnostics) {
  const file = files.find(([, generated]) => generated === d.file?.fileName)?.[0] ?? '(types)';
  const line = d.file ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
  console.log(`FAILED ${file} (generated line ${line}): ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  refused.add(file);
}
for (const [file] of files) {
  if (!refused.has(file)) console.log(`ok ${file}`);
}
process.exit(refused.size > 0 ? 1 : 0);
