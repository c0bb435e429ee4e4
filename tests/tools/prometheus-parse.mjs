// Parses a Prometheus text exposition (the file named by the first argument)
// with parse-prometheus-text-format and prints its families as JSON:
// [{"name", "type", "samples"}]. Exits non-zero when the text does not parse.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8');
try {
    const families = parsePrometheusTextFormat(text);
    process.stdout.write(JSON.stringify(families.map((family) => ({
        name: family.name,
        type: family.type,
        samples: family.metrics.length,
    }))));
} catch (error) {
    process.stderr.write(`not valid Prometheus text: ${error.message}\n`);
    process.exit(1);
}
