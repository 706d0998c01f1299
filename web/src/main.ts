/** Entry point: tabs, the shared task list, and the two panels. */
import './styles.css';
import { getTasks } from './api.ts';
import { byId } from './format.ts';
import { PlayPanel } from './play.ts';
import { ComparePanel } from './compare.ts';
import { registry } from './registry.ts';

function setupTabs(onShow: (panelId: string) => void): (panelId: string) => void {
  const tabs = Array.from(document.querySelectorAll<HTMLButtonElement>('[role="tab"]'));
  const select = (tab: HTMLButtonElement, focus: boolean) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      byId(t.getAttribute('aria-controls')!).hidden = !on;
    }
    if (focus) tab.focus();
    onShow(tab.getAttribute('aria-controls')!);
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab, false));
    // WAI-ARIA tabs pattern: arrows move between tabs, Home/End jump to the ends.
    tab.addEventListener('keydown', (ev) => {
      const n = tabs.length;
      const next = { ArrowRight: (i + 1) % n, ArrowLeft: (i - 1 + n) % n, Home: 0, End: n - 1 }[ev.key];
      if (next === undefined) return;
      ev.preventDefault();
      select(tabs[next]!, true);
    });
  });
  return (panelId) => {
    const tab = tabs.find((t) => t.getAttribute('aria-controls') === panelId);
    if (tab) select(tab, true);
  };
}

async function start(): Promise<void> {
  const play = new PlayPanel();
  const compare = new ComparePanel();
  registry.play = play;
  registry.compare = compare;
  const show = setupTabs((id) => {
    if (id === 'panel-compare') void compare.refresh();
  });
  compare.onWatch = (rec) => {
    show('panel-play');
    play.showStored(rec);
  };
  try {
    const tasks = await getTasks();
    play.setTasks(tasks);
    compare.setTasks(tasks);
    registry.ready = true;
  } catch (err) {
    play.showError(`Cannot load the task list: ${(err as Error).message}`);
  }
}

void start();
