// Runs COUNT image generations one after another with the official OpenAI Node SDK and its default retries, and
// prints one JSON line per generation: whether it succeeded, what it answered, and how long it took (retries
// included). Usage: node generate.mjs BASE_URL API_KEY COUNT PROMPT [MODEL]
import OpenAI from "openai";

const [baseURL, apiKey, count, prompt, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, timeout: 60_000 });
let failed = 0;
for (let i = 0; i < Number(count); i++) {
  const started = Date.now();
  try {
    const answer = await client.images.generate({ model: model || "dall-e-2", prompt: `${prompt} ${i}`,
      size: "256x256", response_format: "b64_json" });
    console.log(JSON.stringify({ i, ok: true, images: answer.data.length, ms: Date.now() - started }));
  } catch (e) {
    failed++;
    console.log(JSON.stringify({ i, ok: false, status: e.status ?? null, code: e.code ?? null,
      type: e.constructor?.name, ms: Date.now() - started }));
  }
}
process.exit(failed === 0 ? 0 : 1);
