// OpenAPI 3.0 schema objects as JSON Schema: the AsyncAPI document's copies of
// the shared schemas are these (asyncapi-validate.mjs checks that they match),
// and validate.mjs checks REST answers against them.

// `nullable: true` becomes a "null" type; the null branch of a nullable
// reference ({type, nullable, enum: [null]}) becomes {type: "null"}; OpenAPI's
// discriminator object becomes AsyncAPI's discriminator (the property name).
export function toJsonSchema(schema) {
    if (Array.isArray(schema))
        return schema.map(toJsonSchema);
    if (schema === null || typeof schema !== "object")
        return schema;
    if (schema.nullable === true && Array.isArray(schema.enum) && schema.enum.length === 1
        && schema.enum[0] === null)
        return { type: "null" };
    const out = {};
    for (const [key, value] of Object.entries(schema)) {
        if (key === "nullable")
            continue;
        if (key === "discriminator" && typeof value === "object") {
            out.discriminator = value.propertyName;
            continue;
        }
        if (key === "type" && schema.nullable === true) {
            out.type = [value, "null"];
            continue;
        }
        if (key === "properties") {
            out.properties = Object.fromEntries(
                Object.entries(value).map(([name, property]) => [name, toJsonSchema(property)]));
            continue;
        }
        out[key] = toJsonSchema(value);
    }
    return out;
}

// A copy of `schema` in which an object may hold only the properties its schema
// declares ("closed"): every place that describes a value on its own (the root,
// a property, an array's items) gets `unevaluatedProperties: false` (JSON
// Schema 2019-09), which sees the properties declared through $ref, allOf and
// the oneOf/anyOf branch that matched. The parts of an allOf and the branches
// of a oneOf/anyOf are left open: the place that holds them is closed.
export function closed(schema, isPartOfAllOf = false) {
    if (Array.isArray(schema))
        return schema.map((item) => closed(item));
    if (schema === null || typeof schema !== "object")
        return schema;
    const out = {};
    for (const [key, value] of Object.entries(schema)) {
        if (key === "properties")
            out.properties = Object.fromEntries(
                Object.entries(value).map(([name, property]) => [name, closed(property)]));
        else if (key === "allOf" || key === "oneOf" || key === "anyOf")
            out[key] = value.map((part) => closed(part, true));
        else if (key === "items")
            out[key] = closed(value);
        else
            out[key] = value;
    }
    const describesObject = out.$ref || out.properties || out.allOf || out.oneOf || out.anyOf;
    if (!isPartOfAllOf && describesObject && out.additionalProperties === undefined)
        out.unevaluatedProperties = false;
    return out;
}
