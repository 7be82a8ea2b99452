/**
 * The Outer loop tab on a run's page (contribution outerloop.outerloop.outerloop-tab): reads the
 * run's `outerloop.result` attachments with the Build REST client and shows them.
 */
import * as SDK from 'azure-devops-extension-sdk';
import { CommonServiceIds, getClient, type IProjectPageService } from 'azure-devops-extension-api';
import { BuildRestClient, BuildServiceIds, type IBuildPageDataService } from 'azure-devops-extension-api/Build';
import { createRoot } from 'react-dom/client';
import { RESULT_ATTACHMENT_TYPE } from '../summary/record';
import { OuterloopTab } from './app';
import { buildTabView, parseAttachmentAddress, type TabView } from './model';

/**
 * A host service as `SDK.getService` really hands it over: a proxy whose every method is a message
 * to the host page, so it returns a promise whatever the declared type says (IBuildPageDataService
 * declares getBuildPageData synchronous).
 */
type HostService<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K] };

/** The run's records, as the tab shows them. */
async function loadRun(): Promise<TabView> {
  await SDK.ready();
  const pageData = await SDK.getService<HostService<IBuildPageDataService>>(BuildServiceIds.BuildPageDataService);
  const build = (await pageData.getBuildPageData())?.build;
  if (!build) throw new Error('This page shows no run.');
  const project = await (await SDK.getService<IProjectPageService>(CommonServiceIds.ProjectPageService)).getProject();
  if (!project) throw new Error('This page belongs to no project.');
  const client = getClient(BuildRestClient);
  const attachments = await client.getAttachments(project.id, build.id, RESULT_ATTACHMENT_TYPE);
  const decoder = new TextDecoder();
  const texts = await Promise.all(
    attachments.map(async (attachment) => {
      const ids = parseAttachmentAddress(attachment._links?.self?.href ?? '');
      if (!ids) throw new Error(`The server listed the record '${attachment.name}' without the address of its step (_links.self.href).`);
      const body = await client.getAttachment(project.id, build.id, ids.timelineId, ids.recordId, RESULT_ATTACHMENT_TYPE, attachment.name);
      return decoder.decode(body);
    }),
  );
  return buildTabView(texts);
}

/** Draws the tab once the host's handshake is done, then tells the host the tab has loaded (it shows its own loading state until then). */
async function main(): Promise<void> {
  await SDK.init({ loaded: false, applyTheme: true });
  const root = document.getElementById('root');
  if (!root) throw new Error('The tab page has no #root element.');
  createRoot(root).render(<OuterloopTab load={loadRun} />);
  await SDK.notifyLoadSucceeded();
}

// A failure before the tab is drawn goes to the host, which shows it in place of the tab; if even
// that message cannot reach the host, there is no one left to tell.
main().catch((err: unknown) => {
  SDK.notifyLoadFailed(err instanceof Error ? err : String(err)).catch(() => undefined);
});
