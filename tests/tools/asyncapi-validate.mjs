// Validates an AsyncAPI document with @asyncapi/parser (any error-severity
// diagnostic fails), and checks that its copies of the schemas it shares with
// the OpenAPI document are the OpenAPI ones as JSON Schema, so the two cannot
// drift. Usage: node asyncapi-validate.mjs ASYNCAPI.json OPENAPI.json
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";
import { toJsonSchema } from "./jsonschema.mjs";

const [asyncapiFile, openapiFile] = process.argv.slice(2);
const text = readFileSync(asyncapiFile, "utf8");
const { document, diagnostics } = await new Parser().parse(text, { source: asyncapiFile });
let failed = false;
for (const diagnostic of diagnostics) {
    const severe = diagnostic.severity === DiagnosticSeverity.Error;
    failed ||= severe;
    console.log(`${severe ? "error" : "note"} ${diagnostic.code} at ${diagnostic.path.join("/")}: ${diagnostic.message}`);
}
if (!document)
    failed = true;

const asyncapi = JSON.parse(text);
const openapi = JSON.parse(readFileSync(openapiFile, "utf8"));
const openSchemas = openapi.components.schemas;
let shared = 0;
for (const [name, schema] of Object.entries(asyncapi.components.schemas)) {
    if (!(name in openSchemas))
        continue;
    ++shared;
    if (!isDeepStrictEqual(schema, toJsonSchema(openSchemas[name]))) {
        failed = true;
        console.log(`error: components.schemas.${name} differs from the OpenAPI document's`);
    }
}
if (shared === 0) {
    failed = true;
    console.log("error: no schema shared with the OpenAPI document");
}
console.log(`${asyncapiFile}: ${failed ? "INVALID" : "valid"} AsyncAPI ${asyncapi.asyncapi}, ${shared} schemas shared with ${openapiFile}`);
process.exit(failed ? 1 : 0);
