// Validates JSON instances against schemas of an OpenAPI or AsyncAPI document
// with Ajv (JSON Schema 2019-09), for the contract test.
//
// stdin:  {"checks": [{"name": "...", "document": "path/openapi.json",
//                      "schema": {...}, "instance": ...}, ...]}
//   `schema` is a schema object of that document (e.g. a response's schema or
//   {"$ref": "#/components/schemas/Greeting"}); its $refs resolve in it.
// stdout: {"checked": N, "failures": ["name: where: what", ...]}; exit status 1
//   when any check failed.
//
// Stricter than the documents alone, on purpose: an object may hold only the
// fields its schema declares (see closed() in jsonschema.mjs), so an answer
// with an undocumented field fails; uuids are lower case and times end in Z,
// as /work/shared/api-contract.md says.
import { readFileSync } from "node:fs";
import Ajv2019 from "ajv/dist/2019.js";
import addFormats from "ajv-formats";
import { closed, toJsonSchema } from "./jsonschema.mjs";

const input = JSON.parse(readFileSync(0, "utf8"));
// discriminator: a union tagged by `type` reports the errors of the branch the
// tag names, not of every branch.
const ajv = new Ajv2019({ strict: false, allErrors: true, discriminator: true });
addFormats(ajv);
ajv.addFormat("uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
ajv.addFormat("date-time", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
ajv.addFormat("int64", { type: "number", validate: (value) => Number.isSafeInteger(value) });

// Each document once, as a schema resource named by its path: its components
// as JSON Schema, each open at its top (a $ref to it closes it where it is used).
const documents = new Map();
function documentId(path) {
    if (!documents.has(path)) {
        const id = `doc${documents.size}`;
        const document = JSON.parse(readFileSync(path, "utf8"));
        const schemas = {};
        for (const [name, schema] of Object.entries(document.components?.schemas ?? {}))
            schemas[name] = anchored(closed(toJsonSchema(schema), true), id);
        ajv.addSchema({ $id: id, components: { schemas } });
        documents.set(path, id);
    }
    return documents.get(path);
}

// "#/components/..." in a check's schema points into its document; a
// discriminator takes Ajv's form ({propertyName}, without OpenAPI's mapping).
function anchored(schema, id) {
    if (Array.isArray(schema))
        return schema.map((item) => anchored(item, id));
    if (schema === null || typeof schema !== "object")
        return schema;
    return Object.fromEntries(Object.entries(schema).map(([key, value]) => {
        if (key === "$ref" && value.startsWith("#/"))
            return [key, id + value];
        if (key === "discriminator")
            return [key, { propertyName: typeof value === "string" ? value : value.propertyName }];
        return [key, anchored(value, id)];
    }));
}

const failures = [];
for (const check of input.checks) {
    const id = documentId(check.document);
    const validate = ajv.compile(anchored(closed(toJsonSchema(check.schema)), id));
    if (validate(check.instance))
        continue;
    for (const error of validate.errors) {
        const detail = error.keyword === "unevaluatedProperties"
            ? `undocumented field ${error.params.unevaluatedProperty}`
            : error.message;
        failures.push(`${check.name}: body${error.instancePath}: ${detail}`);
    }
}
process.stdout.write(JSON.stringify({ checked: input.checks.length, failures }) + "\n");
process.exit(failures.length ? 1 : 0);
