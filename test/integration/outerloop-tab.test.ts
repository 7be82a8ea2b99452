/// <reference lib="dom" />
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer-core';
import { FIXTURES, ROOT } from '../support/paths';
import { startTabHost, type HostedAttachment, type TabHost } from '../support/tab-host';
import { unpackedVsix } from '../support/vsix';

/** Debian's chromium (scripts/browser.sh install); never a downloaded browser. */
const CHROMIUM = process.env['OUTERLOOP_CHROMIUM'] ?? '/usr/bin/chromium';
const SCREENSHOTS = join(ROOT, 'dist', 'test-artifacts', 'outerloop-tab');
const README_SCREENSHOT = join(ROOT, 'docs', 'images', 'outerloop-tab.png');
const FIXTURE_RUN = join(FIXTURES, 'outerloop-tab', 'demo-run');

async function readFixtureRun(): Promise<HostedAttachment[]> {
  const files = (await readdir(FIXTURE_RUN)).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  return Promise.all(
    files.map(async (f) => ({ name: f.replace(/^\d+-/, '').replace(/\.json$/, ''), text: await readFile(join(FIXTURE_RUN, f), 'utf8') })),
  );
}

/** sRGB relative luminance and contrast ratio (WCAG 2). */
function contrast(a: number[], b: number[]): number {
  const lum = (c: number[]): number => {
    const [r, g, bl] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('the Outer loop tab in a real browser (headless Debian chromium, tab from the .vsix)', function () {
  let browser: Browser;
  let host: TabHost;
  let profile: string;
  let attachments: HostedAttachment[];

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/browser.sh install (Debian's chromium package).`);
    attachments = await readFixtureRun();
    host = await startTabHost(join(await unpackedVsix(), 'tab'), {
      1: { attachments },
      2: { attachments: [] },
      3: { failure: { status: 500, message: 'TF400898: An internal error occurred. Activity Id: 8f1c.' } },
    });
    profile = await mkdtemp(join(tmpdir(), 'outerloop-chromium-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  after(async function () {
    await browser?.close();
    await host?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  /** Opens the host page for a run and returns the page and the tab's frame once it has settled. */
  async function openRun(build: number, theme: 'light' | 'dark', settled: string): Promise<{ page: Page; tab: Frame }> {
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 900 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${host.url}/host.html?build=${build}&theme=${theme}`, { waitUntil: 'load' });
    const frameHandle = await page.waitForSelector('iframe#tab');
    const tab = (await frameHandle!.contentFrame())!;
    await tab.waitForSelector(settled, { timeout: 20_000 });
    assert.deepEqual(errors, []);
    return { page, tab };
  }

  /** The computed colours of the page, a row heading and a note, each text colour blended over the background. */
  async function readColours(tab: Frame): Promise<{ background: number[]; text: number[]; note: number[] }> {
    return tab.evaluate(() => {
      const rgba = (s: string): number[] => {
        const [r, g, b, a] = (s.match(/[\d.]+/g) ?? []).map(Number);
        return [r, g, b, a ?? 1];
      };
      const background = rgba(getComputedStyle(document.body).backgroundColor).slice(0, 3);
      const over = (c: number[]): number[] => c.slice(0, 3).map((v, i) => Math.round(v * c[3] + background[i] * (1 - c[3])));
      const cell = document.querySelector('section[aria-labelledby=ol-images] tbody th')!;
      const note = document.querySelector('.ol-note')!;
      return { background, text: over(rgba(getComputedStyle(cell).color)), note: over(rgba(getComputedStyle(note).color)) };
    });
  }

  async function shoot(page: Page, name: string): Promise<string> {
    const file = join(SCREENSHOTS, `${name}.png`);
    await page.screenshot({ path: file as `${string}.png`, fullPage: true });
    return file;
  }

  it('shows the run’s images with the digests the tasks recorded, the test totals and the deployment', async () => {
    const { page, tab } = await openRun(1, 'light', '[data-testid=digest]');
    const pushed = JSON.parse(attachments.find((a) => a.name === 'push-digest')!.text) as {
      images: Array<{ repository: string; digest: string; tag: string }>;
    };
    const expected = [...new Set(pushed.images.map((i) => i.digest))];
    const digests = await tab.$$eval('[data-testid=digest]', (els) => els.map((e) => e.textContent));
    assert.deepEqual(digests, expected);
    const rows = await tab.$$eval('section[aria-labelledby=ol-images] tbody tr', (trs) =>
      trs.map((tr) => (tr as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
    );
    for (const image of pushed.images) {
      assert.ok(
        rows.some((r) => r.startsWith(image.repository) && r.includes(image.tag) && r.includes(image.digest)),
        `${image.repository}:${image.tag} ${image.digest} in ${rows.join(' / ')}`,
      );
    }
    const text = await tab.$eval('main', (m) => (m as HTMLElement).innerText);
    assert.match(text, /3 passed, 0 failed, 0 skipped/);
    assert.match(text, /Deployments/);
    assert.match(text, /4 objects rendered \(not deployed\)/);
    // ComposeDeploy's record: the QA host, its outcome, and each service pinned by the digest PushDigest recorded.
    const hosts = await tab.$$eval('section[aria-labelledby=ol-hosts] tbody tr', (trs) =>
      trs.map((tr) => (tr as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
    );
    assert.equal(hosts.length, 1, hosts.join(' / '));
    assert.match(hosts[0], /^outerloop-demo-qa .*tcp:\/\/127\.0\.0\.1:2376 deployed /);
    for (const service of ['web', 'worker']) {
      const pushedImage = pushed.images.find((i) => i.repository.endsWith(`/${service}`))!;
      assert.ok(hosts[0].includes(`${service}: ${pushedImage.repository}@${pushedImage.digest}`), hosts[0]);
    }
    // Each digest has a labelled copy button that the keyboard reaches first.
    const labels = await tab.$$eval('button.ol-copy', (bs) => bs.map((b) => b.getAttribute('aria-label')));
    assert.deepEqual(
      labels,
      pushed.images
        .filter((img, i, all) => all.findIndex((o) => o.digest === img.digest) === i)
        .map((i) => `Copy ${i.repository}@${i.digest}`),
    );
    await tab.focus('main');
    await page.keyboard.press('Tab');
    assert.equal(await tab.evaluate(() => document.activeElement?.getAttribute('aria-label')), labels[0]);
    // The tab called the Build REST API as the client does: with the SDK's token, by attachment type, then each record by its
    // timeline record.
    const listed = host.requests.filter((r) => r.path.endsWith('/_apis/build/builds/1/attachments/outerloop.result'));
    assert.equal(listed.length, 1);
    assert.match(listed[0].accept, /api-version=7\.2-preview\.2/);
    assert.equal(listed[0].authorization, 'Bearer test-host-token');
    assert.equal(
      host.requests.filter((r) => /\/builds\/1\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/attachments\/outerloop\.result\//.test(r.path)).length,
      attachments.length,
    );
    const colours = await readColours(tab);
    assert.deepEqual(colours.background, [255, 255, 255]);
    assert.ok(
      contrast(colours.text, colours.background) >= 4.5 && contrast(colours.note, colours.background) >= 4.5,
      JSON.stringify(colours),
    );
    const file = await shoot(page, 'fixture-run-light');
    if (process.env['OUTERLOOP_README_SCREENSHOT'] === '1') await copyFile(file, README_SCREENSHOT);
    await page.close();
  });

  it('follows the dark theme, with readable contrast', async () => {
    const { page, tab } = await openRun(1, 'dark', '[data-testid=digest]');
    const colours = await readColours(tab);
    assert.deepEqual(colours.background, [30, 30, 30]);
    // Text over the dark background: at least WCAG AA's 4.5:1.
    assert.ok(
      contrast(colours.text, colours.background) >= 4.5 && contrast(colours.note, colours.background) >= 4.5,
      JSON.stringify(colours),
    );
    await shoot(page, 'fixture-run-dark');
    await page.close();
  });

  it('says there is nothing to show for a run with no records', async () => {
    const { page, tab } = await openRun(2, 'light', '.ol-message[role=status]');
    const text = await tab.$eval('.ol-message', (m) => (m as HTMLElement).innerText);
    assert.match(text, /^Nothing to show for this run/);
    assert.equal(await tab.$('[data-testid=digest]'), null);
    await shoot(page, 'empty-run');
    await page.close();
  });

  it('says the records could not be read, with the server’s message, when the REST call fails', async () => {
    const { page, tab } = await openRun(3, 'light', '.ol-error[role=alert]');
    const text = await tab.$eval('.ol-error', (m) => (m as HTMLElement).innerText);
    assert.match(text, /The Outer loop records could not be read/);
    assert.match(text, /TF400898: An internal error occurred\. Activity Id: 8f1c\./);
    await shoot(page, 'rest-failure');
    await page.close();
  });
});
