import { useEffect, useState } from "preact/hooks";
import { getJson, postJson, type TemplateInfo } from "../api.js";

/** Starts a template (explore-codebase, explore-web, think-layers, start) with parameters from the form, then shows its workflow. */
export function StartPage() {
  const [templates, setTemplates] = useState<TemplateInfo[]>([]);
  const [name, setName] = useState("");
  const [params, setParams] = useState("");
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    getJson<{ templates: TemplateInfo[] }>("/templates").then(
      ({ templates }) => {
        setTemplates(templates);
        if (templates[0]) choose(templates[0]);
      },
      (err: Error) => setFailure(err.message),
    );
  }, []);
  const choose = (t: TemplateInfo): void => {
    setName(t.name);
    setParams(JSON.stringify(t.example, null, 2));
  };
  const submit = (e: Event): void => {
    e.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(params);
    } catch {
      setFailure("the parameters are not JSON");
      return;
    }
    setBusy(true);
    setFailure(undefined);
    postJson<{ workflowId: string }>(`/templates/${name}`, { params: parsed }).then(
      ({ workflowId }) => (location.hash = `#/workflows/${workflowId}`),
      (err: Error) => {
        setBusy(false);
        setFailure(err.message);
      },
    );
  };
  return (
    <section class="start">
      <h2>start a template</h2>
      <form onSubmit={submit} data-testid="start-form">
        <label>
          template{" "}
          <select
            value={name}
            onChange={(e) => choose(templates.find((t) => t.name === (e.target as HTMLSelectElement).value)!)}
            name="template"
          >
            {templates.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          parameters (JSON; see docs/templates.md)
          <textarea
            rows={10}
            value={params}
            onInput={(e) => setParams((e.target as HTMLTextAreaElement).value)}
            name="params"
            spellcheck={false}
          />
        </label>
        {failure && <p class="error">{failure}</p>}
        <button type="submit" disabled={busy || !name}>
          {busy ? "starting…" : "run"}
        </button>
      </form>
    </section>
  );
}
