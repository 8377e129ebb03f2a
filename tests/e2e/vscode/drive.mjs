// Drives a running code-server (VS Code 1.100) in Debian Chromium, the way a person would, and writes
// what it saw as JSON for tests/editors/test_vscode.py to assert. Each step leaves a screenshot.
//
// Environment (all set by the pytest test):
//   CREW_E2E_URL        the workbench URL, with ?folder= the sample workspace
//   CREW_E2E_OUT        the JSON file to write
//   CREW_E2E_SHOTS      the folder of the screenshots (<step>.png)
//   CREW_E2E_CHROMIUM   the browser (default /usr/bin/chromium)
//   CREW_E2E_TEAM_FILE  the broken team file, relative to the workspace (opened from the Explorer)
//   CREW_E2E_PROBLEM    the problem it shows;  CREW_E2E_PROBLEM_AT  its line:column
//   CREW_E2E_FIX        the title of the quick fix to apply
//   CREW_E2E_PLAN_TASKS the number of tasks of the default team's plan
//
// Pitfalls of headless Chromium met here: Quick Open + Enter does not open a file (the Explorer row is
// clicked instead), clicking a Problems row does not move the cursor (Ctrl+G does), and clicking rows
// of the quick-fix menu times out (the keyboard chooses them).

import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const URL = env('CREW_E2E_URL');
const OUT = env('CREW_E2E_OUT');
const SHOTS = env('CREW_E2E_SHOTS');
const TEAM_FILE = env('CREW_E2E_TEAM_FILE');
const PROBLEM = env('CREW_E2E_PROBLEM');
const PROBLEM_AT = env('CREW_E2E_PROBLEM_AT');
const FIX = env('CREW_E2E_FIX');
const PLAN_TASKS = Number(env('CREW_E2E_PLAN_TASKS'));
const GOAL = 'Write a getting-started page for the greeting module';

// Generous: the machine running the tests may be shared and slow; a step that passes takes seconds.
const STEP_TIMEOUT = 60_000;
const VIEWPORT = { width: 1280, height: 800 };
// a smaller laptop screen: with the side bar open, a four-wave plan is wider than the editor
const NARROW = { width: 1024, height: 800 };

const seen = { steps: [], notifications: [] };
let step = 'start';

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Runs a palette command by its title: F1, the title, and Enter once its row is the focused one. */
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).waitFor();
  await page.keyboard.press('Enter');
}

/**
 * Answers the prompts of a command in order: an InputBox gets the text typed, a QuickPick gets the
 * text typed to filter it and its row labelled exactly so is chosen with the keyboard. A prompt is
 * recognised by its placeholder, so the next answer never goes to the prompt just answered.
 */
async function answerPrompts(page, answers) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  let previous = null;
  for (const { placeholder, text, pick } of answers) {
    await page.waitForFunction(
      ([pattern, last]) => {
        const box = document.querySelector('.quick-input-widget');
        const field = box?.querySelector('.quick-input-box input');
        if (!box || !field || box.style.display === 'none') return false;
        const shown = field.getAttribute('placeholder') ?? '';
        return new RegExp(pattern).test(shown) && shown !== last;
      },
      [placeholder.source, previous],
      { timeout: STEP_TIMEOUT },
    );
    previous = await input.getAttribute('placeholder');
    await input.fill(text);
    if (pick) {
      await chooseRow(page, '.quick-input-list', (label) => label === pick);
    }
    await page.keyboard.press('Enter');
  }
}

/** Moves the keyboard focus down a list until its focused row satisfies `wanted` (row clicks time out headless). */
async function chooseRow(page, list, wanted, labelOf = labelOfQuickPickRow) {
  const rows = page.locator(`${list} .monaco-list-row`);
  await rows.first().waitFor();
  const count = await rows.count();
  for (let moves = 0; moves <= count; moves += 1) {
    const focused = page.locator(`${list} .monaco-list-row.focused`).first();
    if (await focused.count() && wanted(await labelOf(focused))) return;
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`no row of ${list} is the wanted one`);
}

async function labelOfQuickPickRow(row) {
  return (await row.locator('.label-name').first().innerText()).trim();
}

/**
 * Ctrl+. until the quick-fix menu lists `fix`. VS Code answers "No code actions available" when the
 * set of code-action providers changes during the request (the built-in Markdown extension registers
 * its providers when the first Markdown file opens); the extension now activates that one before
 * starting, so the first press normally shows the menu. Should VS Code still say "none", a person
 * presses the keys again, and so does this. Returns the number of presses.
 */
async function openQuickFixMenu(page, fix) {
  const outcome = ([wanted]) => {
    const rows = [...document.querySelectorAll('.action-widget .monaco-list-row.action')];
    if (rows.some((row) => row.textContent.includes(wanted))) return 'menu';
    const message = document.querySelector('.monaco-editor-overlaymessage');
    return message && message.textContent.includes('No code actions') ? 'none' : false;
  };
  const noActionsMessage = page.locator('.monaco-editor-overlaymessage', { hasText: 'No code actions' });
  let presses = 0;
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    presses += 1;
    await page.keyboard.press('Control+.');
    // the menu may take a while on a loaded machine: press again only after VS Code said "none"
    const remaining = Math.max(deadline - Date.now(), 1_000);
    const shown = await (await page.waitForFunction(outcome, [fix], { timeout: remaining })).jsonValue();
    if (shown === 'menu') break;
    // the message stays until the cursor moves: step off the problem and back onto it
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    await noActionsMessage.waitFor({ state: 'hidden', timeout: remaining });
  }
  return presses;
}

async function openFromExplorer(page, relativePath) {
  for (const name of relativePath.split('/')) {
    await page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`).first().click();
  }
  await page.locator('.monaco-editor .view-lines').first().waitFor();
}

/** Records the notifications shown so far in `seen.notifications`, then clears them off the screenshots. */
async function clearNotifications(page) {
  const texts = await page.locator('.notification-list-item-message').allInnerTexts();
  seen.notifications.push(...texts.map((text) => text.trim()));
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notification-toast').first().waitFor({ state: 'detached' });
}

async function problemsPanelRows(page) {
  return page.locator('.markers-panel .monaco-list-row').allInnerTexts();
}

/** How many task nodes lie wholly inside the plan webview's width, of how many (the side bar stays open). */
async function planNodesInView(page) {
  for (const frame of page.frames()) {
    try {
      const fit = await frame.evaluate(() => {
        const nodes = [...document.querySelectorAll('.crew-task-node')].map((node) => node.getBoundingClientRect());
        if (!nodes.length) return null;
        const width = document.documentElement.clientWidth;
        const inView = nodes.filter((r) => r.left >= 0 && r.right <= width).length;
        return { nodes: nodes.length, inView, width, nodeWidth: Math.round(nodes[0].width) };
      });
      if (fit) return fit;
    } catch {
      // a frame that navigated away meanwhile has no nodes
    }
  }
  return null;
}

/** Every frame's `.crew-task-node` ids: the webview draws its graph two iframes deep. */
async function planNodes(page) {
  const ids = [];
  for (const frame of page.frames()) {
    try {
      ids.push(...(await frame.$$eval('.crew-task-node', (nodes) => nodes.map((node) => node.getAttribute('data-task-id')))));
    } catch {
      // a frame that navigated away meanwhile has nothing to count
    }
  }
  return ids;
}

async function waitUntil(predicate, what) {
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200)); // a polling interval, not a guess at a duration
  }
}

async function drive(page) {
  step = 'workbench';
  await page.goto(URL, { waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor();
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor();
  seen.steps.push(step);

  // a. The broken team file's problem is in the Problems panel before the file is even opened.
  step = 'problems';
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel').waitFor();
  await page.locator('.markers-panel .monaco-list-row', { hasText: PROBLEM }).first().waitFor();
  seen.problems = await problemsPanelRows(page);
  await openFromExplorer(page, TEAM_FILE);
  await page.locator('.monaco-editor .squiggly-error').first().waitFor();
  await clearNotifications(page);
  await shot(page, 'problems');
  seen.steps.push(step);

  // The language status of the team file ("{}" in the status bar) says which pi-crew version it is read as.
  step = 'language-status';
  await page.locator('.statusbar-item[id="status.languageStatus"]').hover();
  const languageStatus = page.locator('.monaco-hover', { hasText: 'pi-crew 0.' }).first();
  await languageStatus.waitFor();
  seen.languageStatus = (await languageStatus.innerText()).trim();
  await shot(page, 'language-status');
  await page.mouse.move(640, 300); // off the status bar: its hover would cover the editor
  await languageStatus.waitFor({ state: 'hidden' });
  seen.steps.push(step);

  // b. Its quick fix: cursor on the problem (Ctrl+G), Ctrl+., the fix chosen with the keyboard.
  step = 'quickfix';
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible' });
  await page.keyboard.type(PROBLEM_AT);
  await page.keyboard.press('Enter');
  const menu = '.action-widget';
  seen.quickFixPresses = await openQuickFixMenu(page, FIX);
  seen.quickFixes = (await page.locator(`${menu} .monaco-list-row.action`).allInnerTexts()).map((text) => text.trim());
  await shot(page, 'quickfix-menu');
  await chooseRow(page, menu, (label) => label === FIX, async (row) => (await row.innerText()).trim());
  await page.keyboard.press('Enter');
  await page.locator('.markers-panel .monaco-list-row', { hasText: PROBLEM }).first().waitFor({ state: 'detached' });
  seen.problemsAfterFix = await problemsPanelRows(page);
  seen.editorText = await page.locator('.monaco-editor .view-lines').first().innerText();
  await page.keyboard.press('Control+S');
  await shot(page, 'quickfix');
  seen.steps.push(step);

  // c. Completion after `agent=` on a new role line offers the builtin agents.
  step = 'completion';
  await page.keyboard.press('Control+End');
  await page.keyboard.type('- helper: agent=');
  await page.keyboard.press('Control+Space');
  const suggestions = page.locator('.suggest-widget.visible .monaco-list-row .label-name');
  await suggestions.filter({ hasText: 'executor' }).first().waitFor();
  seen.completions = (await suggestions.allInnerTexts()).map((text) => text.trim());
  await shot(page, 'completion');
  // leave the file as it was: no half-written role
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Control+S');
  seen.steps.push(step);

  // d. "Crew: Run Team…" runs the default team (scaffold runtime, from the user settings).
  step = 'run';
  await clearNotifications(page);
  await runCommand(page, 'Crew: Run Team…');
  await answerPrompts(page, [
    { placeholder: /^e\.g\./, text: GOAL },
    { placeholder: /^Team/, text: 'default', pick: 'default' },
  ]);
  await page.locator('.activitybar .action-item a[aria-label^="Crew Runs"]').first().click();
  const runsRows = page.locator('.part.sidebar .pane-body .monaco-list-row');
  const runRow = runsRows.filter({ hasText: 'completed' }).first();
  await runRow.waitFor();
  await runRow.click(); // shows its tasks
  await waitUntil(async () => (await runsRows.count()) > PLAN_TASKS, `the run's ${PLAN_TASKS} tasks in the Runs view`);
  seen.runsView = await runsRows.evaluateAll((rows) => rows.map((row) => ({
    label: row.querySelector('.label-name')?.textContent.trim(),
    description: row.querySelector('.label-description')?.textContent.trim(),
  })));
  const statusItem = page.locator('.statusbar-item[id$="crew.runs"]');
  await statusItem.locator('.codicon-check').waitFor();
  seen.statusBar = {
    text: (await statusItem.innerText()).trim(),
    checkIcon: await statusItem.locator('.codicon-check').count() > 0,
  };
  await statusItem.hover();
  const tooltip = page.locator('.monaco-hover', { hasText: 'Last run' }).first();
  await tooltip.waitFor();
  seen.statusBar.tooltip = (await tooltip.innerText()).trim();
  seen.runNotifications = (await page.locator('.notification-list-item-message').allInnerTexts()).map((text) => text.trim());
  await shot(page, 'run');
  await page.mouse.move(640, 300); // off the status bar: its tooltip would cover the next screenshot
  seen.steps.push(step);

  // e. "Crew: Preview Plan…" draws one node per task of the plan, every one in view although the side
  // bar stays open on a smaller screen (the graph is shrunk to the webview's width)
  step = 'plan';
  await page.setViewportSize(NARROW);
  await runCommand(page, 'View: Hide Panel');
  await page.locator('.part.panel').waitFor({ state: 'hidden' });
  await clearNotifications(page);
  await runCommand(page, 'Crew: Preview Plan…');
  await answerPrompts(page, [
    { placeholder: /^Team/, text: 'default', pick: 'default' },
    { placeholder: /^Workflow/, text: 'default', pick: 'default' },
    { placeholder: /^e\.g\./, text: GOAL },
  ]);
  seen.planNodes = await waitUntil(async () => {
    const ids = await planNodes(page);
    return ids.length >= PLAN_TASKS ? ids : null;
  }, `${PLAN_TASKS} .crew-task-node elements in the plan webview`);
  seen.planFit = await waitUntil(async () => {
    const fit = await planNodesInView(page);
    return fit?.nodes >= PLAN_TASKS ? fit : null;
  }, 'the plan graph laid out');
  await shot(page, 'plan-narrow');
  // back on the usual screen the graph grows to its own size again
  await page.setViewportSize(VIEWPORT);
  seen.planFitWide = await waitUntil(async () => {
    const fit = await planNodesInView(page);
    return fit?.nodeWidth >= 170 ? fit : null;
  }, 'the plan graph at its own size');
  await shot(page, 'plan');
  seen.steps.push(step);
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: env('CREW_E2E_CHROMIUM', '/usr/bin/chromium'),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  let failed = false;
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    page.setDefaultTimeout(STEP_TIMEOUT);
    seen.consoleErrors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') seen.consoleErrors.push(message.text().slice(0, 300));
    });
    try {
      await drive(page);
    } catch (error) {
      failed = true;
      seen.error = `${step}: ${error instanceof Error ? error.message : String(error)}`;
      await shot(page, `failed-${step}`).catch(() => undefined);
    }
  } finally {
    await browser.close();
    writeFileSync(OUT, JSON.stringify(seen, null, 2));
  }
  process.exit(failed ? 1 : 0);
}

await main();
