// Validates every object of rendered Kubernetes manifests (multi-document YAML files given as
// arguments) against the Kubernetes OpenAPI schema of its apiVersion and kind (kubernetes-models),
// and writes them all as one JSON array to stdout for the assertions of ManifestsTest.
// Exit 1 with one line per invalid or unknown object.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

const problems = [];
const all = [];
for (const file of process.argv.slice(2)) {
  const docs = yaml.loadAll(readFileSync(file, "utf8")).filter((d) => d != null);
  for (const doc of docs) {
    const where = `${file}: ${doc.kind}/${doc.metadata?.name}`;
    const [group, version] = doc.apiVersion.includes("/")
      ? doc.apiVersion.split("/")
      : [null, doc.apiVersion];
    const module = group ? `kubernetes-models/${group}/${version}/${doc.kind}` : `kubernetes-models/${version}/${doc.kind}`;
    let Model;
    try {
      Model = (await import(module))[doc.kind];
    } catch (e) {
      problems.push(`${where}: no schema for ${doc.apiVersion} ${doc.kind} (${e.message})`);
      continue;
    }
    try {
      new Model(doc).validate();
    } catch (e) {
      problems.push(`${where}: ${e.message}`);
    }
    all.push({ file, object: doc });
  }
}
if (problems.length > 0) {
  for (const p of problems) console.error(`INVALID ${p}`);
  process.exit(1);
}
process.stdout.write(JSON.stringify(all));
