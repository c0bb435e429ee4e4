// Validates an OpenAPI document with @apidevtools/swagger-parser (schema of the
// OpenAPI version, every $ref resolvable). Usage: node swagger-validate.mjs FILE
import SwaggerParser from "@apidevtools/swagger-parser";

const file = process.argv[2];
try {
    const api = await SwaggerParser.validate(file);
    console.log(`${file}: valid ${api.info.title} ${api.info.version} (OpenAPI ${api.openapi})`);
} catch (error) {
    console.error(`${file}: ${error.message}`);
    process.exit(1);
}
