import { useEffect, useState, type ReactElement, type ReactNode } from 'react';
import type { ComposeTestRecord } from '../summary/record';
import {
  describePlace,
  isEmptyView,
  safeLink,
  type DeploymentRow,
  type HostDeploymentRow,
  type ImageRow,
  type TabView,
  type TestRow,
} from './model';

type State = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; view: TabView };

/** The Outer loop tab: loads the run's records once, then shows them (or why it cannot). */
export function OuterloopTab({ load }: { load: () => Promise<TabView> }): ReactElement {
  const [state, setState] = useState<State>({ kind: 'loading' });
  useEffect(() => {
    let live = true;
    load().then(
      (view) => live && setState({ kind: 'ready', view }),
      (err: unknown) => live && setState({ kind: 'error', message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [load]);
  return (
    <main className="ol-tab" aria-busy={state.kind === 'loading'}>
      {state.kind === 'loading' && (
        <p className="ol-note" role="status">
          Reading the run’s Outer loop records…
        </p>
      )}
      {state.kind === 'error' && (
        <div className="ol-message ol-error" role="alert">
          <h2>The Outer loop records could not be read</h2>
          <p>{state.message}</p>
          <p className="ol-note">Reload the page to try again; the run’s logs hold the same facts.</p>
        </div>
      )}
      {state.kind === 'ready' && <RunView view={state.view} />}
    </main>
  );
}

function RunView({ view }: { view: TabView }): ReactElement {
  if (isEmptyView(view)) {
    return (
      <div className="ol-message" role="status">
        <h2>Nothing to show for this run</h2>
        <p>
          No step of this run recorded what it did: it ran no DockerBuildTag, ComposeTest, PushDigest, ComposeToK8s or ComposeDeploy step,
          or they ended before recording.
        </p>
        {view.unreadable > 0 && (
          <p className="ol-note">
            {view.unreadable} record(s) are not shown: they come from a newer outerloop version, or are not outerloop records.
          </p>
        )}
      </div>
    );
  }
  return (
    <>
      {view.images.length > 0 && <Images rows={view.images} />}
      {view.tests.length > 0 && <Tests rows={view.tests} />}
      {view.deployments.length > 0 && <Deployments rows={view.deployments} />}
      {view.hostDeployments.length > 0 && <HostDeployments rows={view.hostDeployments} />}
      {view.unreadable > 0 && (
        <p className="ol-note">
          {view.unreadable} record(s) are not shown: they come from a newer outerloop version, or are not outerloop records.
        </p>
      )}
    </>
  );
}

function Images({ rows }: { rows: ImageRow[] }): ReactElement {
  return (
    <TableSection id="ol-images" title="Images" columns={['Repository', 'Tags', 'Digest']}>
      {rows.map((row) => (
        <tr key={`${row.repository}@${row.digest ?? row.imageId}`}>
          <th scope="row" className="ol-mono">
            {row.repository}
          </th>
          <td>
            {row.tags.map((t) => (
              <span key={t} className="ol-tag">
                {t}
              </span>
            ))}
          </td>
          <td>
            {row.digest ? (
              <span className="ol-digest">
                <code data-testid="digest">{row.digest}</code>
                <CopyButton text={`${row.repository}@${row.digest}`} label={`Copy ${row.repository}@${row.digest}`} />
                <span className="ol-note">{row.verified ? 'verified by the registry' : 'from the engine'}</span>
              </span>
            ) : (
              <span className="ol-note">not pushed (image {shortId(row.imageId)})</span>
            )}
          </td>
        </tr>
      ))}
    </TableSection>
  );
}

function CopyButton({ text, label }: { text: string; label: string }): ReactElement {
  const [copied, setCopied] = useState(false);
  const copy = (): void => {
    navigator.clipboard?.writeText(text).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <button type="button" className="ol-copy" aria-label={label} title={label} onClick={copy}>
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

function Tests({ rows }: { rows: TestRow[] }): ReactElement {
  return (
    <TableSection id="ol-tests" title="Tests" columns={['Project', 'Outcome', 'Results', 'Services', 'Logs']}>
      {rows.map(({ place, record }, i) => (
        <tr key={i}>
          <ProjectCell project={record.project} place={place} />
          <OutcomeCell
            ok={record.outcome === 'passed'}
            label={record.outcome === 'passed' ? 'Passed' : 'Failed'}
            failure={record.failure}
          />
          <td>{describeResults(record)}</td>
          <td>
            {record.services.map((s) => `${s.name} (${s.status})`).join(', ')}
            {record.readyAfterMs !== undefined && <div className="ol-note">ready after {seconds(record.readyAfterMs)}</div>}
          </td>
          <td>{record.logsArtifact ? <LogsLink name={record.logsArtifact} url={safeLink(record.logsUrl)} /> : '—'}</td>
        </tr>
      ))}
    </TableSection>
  );
}

function LogsLink({ name, url }: { name: string; url?: string }): ReactElement {
  return url ? (
    <a href={url} target="_top" aria-label={`Logs artifact ${name}`}>
      {name}
    </a>
  ) : (
    <>{name}</>
  );
}

function describeResults(record: ComposeTestRecord): string {
  const t = record.tests;
  if (!t) return record.exitCode === undefined ? '—' : `exit code ${record.exitCode}`;
  if (t.total === undefined) return `${t.files} ${t.format} file(s)`;
  return `${t.passed ?? 0} passed, ${t.failed ?? 0} failed, ${t.skipped ?? 0} skipped`;
}

function Deployments({ rows }: { rows: DeploymentRow[] }): ReactElement {
  return (
    <section aria-labelledby="ol-deployments">
      <h2 id="ol-deployments">Deployments</h2>
      {rows.map(({ place, record: d }, i) => (
        <article key={i} className="ol-deployment" aria-label={`${d.project} in namespace ${d.namespace}`}>
          <h3>
            {d.project} → namespace <span className="ol-mono">{d.namespace}</span>
            {d.cluster && (
              <>
                {' '}
                on <span className="ol-mono">{d.cluster}</span>
              </>
            )}
          </h3>
          <p className="ol-note">
            {d.action === 'deploy'
              ? `${d.objects.length} objects applied, ${d.pruned.length} pruned, ${d.workloads.length} workloads rolled out`
              : `${d.objects.length} objects rendered (not deployed)`}
            {describePlace(place) && ` · ${describePlace(place)}`}
          </p>
          {d.images.length > 0 && (
            <table>
              <caption>Images in the manifests</caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Image</th>
                  <th scope="col">Pinned</th>
                </tr>
              </thead>
              <tbody>
                {d.images.map((img) => (
                  <tr key={img.service}>
                    <th scope="row">{img.service}</th>
                    <td className="ol-mono">{img.image}</td>
                    <td>{img.pinned ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <details>
            <summary>Objects ({d.objects.length})</summary>
            <ul className="ol-objects">
              {d.objects.map((o) => (
                <li key={o} className="ol-mono">
                  {o}
                </li>
              ))}
            </ul>
            {d.pruned.length > 0 && <p>Pruned: {d.pruned.join(', ')}</p>}
          </details>
        </article>
      ))}
    </section>
  );
}

function HostDeployments({ rows }: { rows: HostDeploymentRow[] }): ReactElement {
  return (
    <TableSection id="ol-hosts" title="Docker hosts" columns={['Project', 'Host', 'Outcome', 'Images']}>
      {rows.map(({ place, record }, i) => (
        <tr key={i}>
          <ProjectCell project={record.project} place={place} />
          <td className="ol-mono">{record.host}</td>
          <OutcomeCell ok={record.outcome === 'deployed' || record.outcome === 'down'} label={record.outcome} failure={record.failure} />
          <td>
            <ul className="ol-objects">
              {record.images.map((img) => (
                <li key={img.service} className="ol-mono">
                  {img.service}: {img.image}
                </li>
              ))}
            </ul>
          </td>
        </tr>
      ))}
    </TableSection>
  );
}

/** A row's first cell: the compose project, and where in the run the step was. */
/** A section with a heading and one table: the header row of `columns`, then `children` as its body. */
function TableSection({
  id,
  title,
  columns,
  children,
}: {
  id: string;
  title: string;
  columns: string[];
  children: ReactNode;
}): ReactElement {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <table>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </section>
  );
}

/** A step's outcome, green when `ok`, with its failure sentence under it. */
function OutcomeCell({ ok, label, failure }: { ok: boolean; label: string; failure?: string }): ReactElement {
  return (
    <td>
      <span className={`ol-outcome ol-${ok ? 'passed' : 'failed'}`}>{label}</span>
      {failure && <div className="ol-note">{failure}</div>}
    </td>
  );
}

function ProjectCell({ project, place }: { project: string; place: TestRow['place'] }): ReactElement {
  return (
    <th scope="row">
      {project}
      <div className="ol-note">{describePlace(place)}</div>
    </th>
  );
}

function shortId(id: string | undefined): string {
  return id ? id.replace(/^sha256:/, '').slice(0, 12) : 'unknown';
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
