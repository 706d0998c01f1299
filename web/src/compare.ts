/**
 * Compare: the store's finished episodes (GET /episodes, newest first, paged) with checkboxes;
 * the selected ones are fetched whole (GET /episodes/{id}, cached: finished episodes never
 * change) and overlaid — performance per step and cumulative reward per step.
 */
import { getEpisode, listEpisodes } from './api.ts';
import { lineChart, PALETTE, type Chart, type LineSpec, type Series } from './charts.ts';
import { byId, el, num, passBadge, shortId, signed } from './format.ts';
import { registerChart, registry } from './registry.ts';
import type { EpisodeRecord, EpisodeSummary, Task } from './types.ts';

export function seriesName(e: { label: string | null; task_id: string; seed: number; episode_id: string }): string {
  return `${e.label ?? 'unlabelled'} · ${e.task_id}/${e.seed} · ${shortId(e.episode_id)}`;
}

export class ComparePanel {
  private readonly records = new Map<string, EpisodeRecord>();
  private readonly selected: string[] = [];
  private nextBefore: string | null = null;
  private loading = false;
  private readonly perf: Chart;
  private readonly reward: Chart;
  private readonly f = {
    task: byId<HTMLSelectElement>('cmp-task'),
    refresh: byId<HTMLButtonElement>('cmp-refresh'),
    more: byId<HTMLButtonElement>('cmp-more'),
    status: byId('cmp-status'),
    hint: byId('cmp-hint'),
    table: byId<HTMLTableElement>('episodes-table'),
    summary: byId<HTMLTableElement>('cmp-summary'),
  };

  /** Called with a stored episode when its Watch button is pressed (set by main.ts). */
  onWatch: ((rec: EpisodeRecord) => void) | null = null;

  constructor() {
    this.perf = lineChart(byId('chart-compare'), { xLabel: 'step', yLabel: 'performance', series: [] });
    this.reward = lineChart(byId('chart-compare-reward'), { xLabel: 'step', yLabel: 'cumulative reward', series: [] });
    registerChart('compare', this.perf);
    registerChart('compareReward', this.reward);
    this.f.refresh.addEventListener('click', () => void this.refresh());
    this.f.task.addEventListener('change', () => void this.refresh());
    this.f.more.addEventListener('click', () => void this.load(true));
  }

  setTasks(tasks: Task[]): void {
    for (const t of tasks) {
      const o = el('option', t.task_id);
      o.value = t.task_id;
      this.f.task.append(o);
    }
  }

  async refresh(): Promise<void> {
    await this.load(false);
  }

  private async load(more: boolean): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.f.status.textContent = 'Loading episodes…';
    try {
      const page = await listEpisodes({ task_id: this.f.task.value || undefined, limit: 50, before: more ? this.nextBefore : null });
      this.nextBefore = page.next_before;
      const body = this.f.table.tBodies[0]!;
      if (!more) body.replaceChildren();
      for (const e of page.episodes) body.append(this.row(e));
      this.f.more.hidden = !page.next_before;
      const n = body.rows.length;
      this.f.status.textContent = n ? `${n} finished episode${n === 1 ? '' : 's'} listed.` : 'No finished episodes yet: play one in the Play tab.';
    } catch (err) {
      this.f.status.textContent = `Cannot list episodes: ${(err as Error).message}`;
    } finally {
      this.loading = false;
    }
  }

  private row(e: EpisodeSummary): HTMLTableRowElement {
    const tr = el('tr');
    tr.dataset.episodeId = e.episode_id;
    const box = el('input');
    box.type = 'checkbox';
    box.checked = this.selected.includes(e.episode_id);
    box.setAttribute('aria-label', `Compare ${seriesName(e)}`);
    box.addEventListener('change', () => void this.toggle(e.episode_id, box.checked));
    const cb = el('td');
    cb.append(box);
    const result = el('td');
    result.append(passBadge(e.passed));
    // Today's runs by time alone (the list is mostly those); older ones with their date.
    const at = new Date(e.finished_at);
    const today = at.toDateString() === new Date().toDateString();
    const finished = el('td', today ? at.toLocaleTimeString() : at.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }));
    finished.title = e.finished_at;
    const watch = el('button', 'Watch', 'secondary small');
    watch.type = 'button';
    watch.setAttribute('aria-label', `Watch ${seriesName(e)} step by step`);
    watch.addEventListener('click', () => void this.watch(e.episode_id));
    const actions = el('td');
    actions.append(watch);
    tr.append(
      cb,
      el('td', e.label ?? '—'),
      el('td', e.task_id),
      el('td', String(e.seed), 'num'),
      el('td', String(e.step_count), 'num'),
      el('td', num(e.score), 'num'),
      result,
      finished,
      actions,
    );
    return tr;
  }

  private async fetchRecord(id: string): Promise<EpisodeRecord> {
    let rec = this.records.get(id);
    if (!rec) {
      rec = await getEpisode(id);
      this.records.set(id, rec);
    }
    return rec;
  }

  private async watch(id: string): Promise<void> {
    try {
      this.onWatch?.(await this.fetchRecord(id));
    } catch (err) {
      this.f.status.textContent = `Cannot load the episode: ${(err as Error).message}`;
    }
  }

  private async toggle(id: string, on: boolean): Promise<void> {
    const i = this.selected.indexOf(id);
    if (on && i < 0) this.selected.push(id);
    if (!on && i >= 0) this.selected.splice(i, 1);
    try {
      await Promise.all(this.selected.map((s) => this.fetchRecord(s)));
    } catch (err) {
      this.f.status.textContent = `Cannot load an episode: ${(err as Error).message}`;
    }
    this.draw();
  }

  private draw(): void {
    const recs = this.selected.map((id) => this.records.get(id)).filter((r): r is EpisodeRecord => r !== undefined);
    registry.compared = recs.map((r) => r.episode_id);
    const len = Math.max(0, ...recs.map((r) => r.steps.length));
    const x = Array.from({ length: len + 1 }, (_, i) => i);
    // Shorter episodes end early: pad with nulls so their line simply stops.
    const pad = (v: number[]): Series => [...v, ...Array<null>(len + 1 - v.length).fill(null)];
    const specs: LineSpec[] = recs.map((r, i) => ({ label: seriesName(r), color: PALETTE[i % PALETTE.length]!, dash: i >= PALETTE.length ? [5, 3] : undefined }));
    const perf = recs.map((r) => pad([r.initial_observation.current_performance, ...r.steps.map((s) => s.observation.current_performance)]));
    const cum = recs.map((r) => {
      let acc = 0;
      return pad([0, ...r.steps.map((s) => (acc += s.reward))]);
    });
    this.perf.setSeries(specs, [x, ...perf]);
    this.reward.setSeries(specs, [x, ...cum]);

    this.f.hint.textContent =
      recs.length >= 2 ? `Comparing ${recs.length} episodes.` : 'Select two or more episodes to overlay their learning curves.';
    this.f.summary.tBodies[0]!.replaceChildren(
      ...recs.map((r, i) => {
        const tr = el('tr');
        const name = el('th', seriesName(r));
        name.setAttribute('scope', 'row');
        const swatch = el('span', undefined, 'swatch');
        swatch.style.background = specs[i]!.color;
        name.prepend(swatch);
        const last = r.steps.at(-1)?.observation ?? r.initial_observation;
        const total = r.steps.reduce((a, s) => a + s.reward, 0);
        const result = el('td');
        result.append(passBadge(r.grade.passed));
        tr.append(
          name,
          el('td', num(last.current_performance), 'num'),
          el('td', signed(total), 'num'),
          el('td', String(r.initial_observation.remaining_budget - last.remaining_budget), 'num'),
          el('td', num(r.grade.score), 'num'),
          result,
        );
        return tr;
      }),
    );
    this.f.status.textContent = recs.length ? `Overlaying ${recs.length} episode${recs.length === 1 ? '' : 's'}.` : '';
  }
}
