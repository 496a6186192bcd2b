import "uplot/dist/uPlot.min.css";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { auth, signIn } from "./api.js";
import { PoolsPage } from "./pages/pools.js";
import { StartPage } from "./pages/start.js";
import { WorkflowPage } from "./pages/workflow.js";
import { WorkflowsPage } from "./pages/workflows.js";

/** Routes live in the hash (#/workflows/ID, #/pools, #/start): the server serves one page. */
function useRoute(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = (): void => setHash(location.hash);
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return hash.replace(/^#/, "") || "/workflows";
}

function SignIn({ onDone }: { onDone: () => void }) {
  const [token, setToken] = useState("");
  const [failed, setFailed] = useState(false);
  return (
    <form
      class="signin"
      data-testid="sign-in"
      onSubmit={(e) => {
        e.preventDefault();
        signIn(token).then(
          (ok) => (ok ? onDone() : setFailed(true)),
          () => setFailed(true),
        );
      }}
    >
      <h2>sign in</h2>
      <p>
        Open the link <code>toolmesh up</code> printed (or <code>toolmesh status --console</code> prints a fresh one), or paste the
        gateway's token.
      </p>
      <input
        type="password"
        value={token}
        onInput={(e) => setToken((e.target as HTMLInputElement).value)}
        placeholder="token"
        autocomplete="off"
      />
      <button type="submit">sign in</button>
      {failed && <p class="error">That token was refused.</p>}
    </form>
  );
}

function App() {
  const route = useRoute();
  const [signedOut, setSignedOut] = useState(false);
  auth.onUnauthorized = () => setSignedOut(true);
  const workflow = /^\/workflows\/([A-Za-z0-9_-]+)$/.exec(route)?.[1];
  const state = /^\/workflows(?:\?state=(\w+))?$/.exec(route)?.[1] ?? "";
  let page;
  if (signedOut) page = <SignIn onDone={() => location.reload()} />;
  else if (workflow) page = <WorkflowPage id={workflow} />;
  else if (route === "/pools") page = <PoolsPage />;
  else if (route === "/start") page = <StartPage />;
  else page = <WorkflowsPage state={state} onState={(s) => (location.hash = s ? `#/workflows?state=${s}` : "#/workflows")} />;
  const tab = (href: string, label: string, active: boolean) => (
    <a href={href} class={active ? "active" : ""}>
      {label}
    </a>
  );
  return (
    <>
      <nav>
        <strong>toolmesh</strong>
        {tab("#/workflows", "workflows", route.startsWith("/workflows"))}
        {tab("#/pools", "pools", route === "/pools")}
        {tab("#/start", "start a template", route === "/start")}
      </nav>
      <main>{page}</main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
