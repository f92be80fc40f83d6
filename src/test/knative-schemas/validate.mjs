// Validates Knative manifests against the Knative and Kubernetes JSON schemas (@kubernetes-models/knative).
// usage: node validate.mjs FILE.yaml...   prints one line per document; exit 1 when any is invalid
import fs from 'node:fs';
import yaml from 'js-yaml';
import * as serving from '@kubernetes-models/knative/serving.knative.dev/v1';
import * as eventing from '@kubernetes-models/knative/eventing.knative.dev/v1';
import * as sources from '@kubernetes-models/knative/sources.knative.dev/v1';

const groups = {
  'serving.knative.dev/v1': serving,
  'eventing.knative.dev/v1': eventing,
  'sources.knative.dev/v1': sources,
};
let invalid = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(fs.readFileSync(file, 'utf8'))) {
    if (!doc) continue;
    const name = `${file} ${doc.kind} ${doc.metadata?.name}`;
    const model = groups[doc.apiVersion]?.[doc.kind];
    if (!model) {
      console.log(`invalid: ${name}: no schema for ${doc.apiVersion} ${doc.kind}`);
      invalid++;
      continue;
    }
    try {
      new model(doc).validate();
      console.log(`valid: ${name}`);
    } catch (e) {
      console.log(`invalid: ${name}: ${e.message}`);
      invalid++;
    }
  }
}
process.exit(invalid ? 1 : 0);
