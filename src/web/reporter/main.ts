// 一线·村社填报: the phone page village and community reporters log their outreach work with.
// Plain TypeScript and the DOM, no framework, so it loads fast on a weak network. Every record is
// written to the IndexedDB outbox first and uploaded from there (sync.ts), so it works offline.
import './reporter.css';
import { api, ApiError, currentSession, saveSession, type Indicator, type Org, type ServerRecord } from './api';
import { fill, h } from './dom';
import { language, setLanguage, t } from './i18n';
import { outbox, type Queued } from './queue';
import { flush, isFlushing } from './sync';

const root = document.getElementById('app')!;
const API_CACHE = 'fl-reporter-api';
const RETRY_MS = 30_000;
const CORRECTION_WINDOW_MS = 7 * 24 * 3600_000;
const HISTORY_SHOWN = 10;

// ---- small helpers --------------------------------------------------------------------------

const store = {
  get<T>(key: string): T | null {
    try {
      return JSON.parse(localStorage.getItem(key) ?? 'null') as T | null;
    } catch {
      return null;
    }
  },
  set(key: string, value: unknown) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch {
      // storage full or unavailable: the app still works for this visit
    }
  },
  remove(key: string) {
    try {
      localStorage.removeItem(key);
    } catch {
      // ignore
    }
  },
};

const pad = (n: number) => String(n).padStart(2, '0');
const localDate = (d = new Date()) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const clock = (iso: string) => {
  const d = new Date(iso);
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** A v4 UUID; crypto.randomUUID only exists in secure contexts, getRandomValues everywhere. */
function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Full-width digits and separators, as Chinese keyboards type them, to a plain number string. */
const normaliseNumber = (s: string) =>
  s
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[．。]/g, '.')
    .replace(/[\s,，]/g, '');

const formatValue = (v: number) => v.toLocaleString('zh-CN', { maximumFractionDigits: 2 });

// ---- state ----------------------------------------------------------------------------------

const KEYS = {
  indicators: 'fl.reporter.indicators',
  orgs: 'fl.reporter.orgs',
  lastSync: 'fl.reporter.lastSync',
  /** The last unit and activity chosen: a reporter usually logs the same kind of work again. */
  choice: 'fl.reporter.choice',
  history: (u: string) => `fl.reporter.history.${u}`,
};
const lastChoice = store.get<{ orgId: string; indicator: string }>(KEYS.choice);

const state = {
  indicators: store.get<Indicator[]>(KEYS.indicators) ?? [],
  orgs: store.get<Org[]>(KEYS.orgs) ?? [],
  queue: [] as Queued[],
  sending: 0,
  problem: '' as '' | 'offline' | 'server',
  lastSync: store.get<string>(KEYS.lastSync),
  history: null as ServerRecord[] | null,
  historyStale: false,
  historyAll: false,
  loginNotice: '',
  draft: { orgId: lastChoice?.orgId ?? '', indicator: lastChoice?.indicator ?? '', date: localDate(), value: '', note: '' },
  installPrompt: null as (Event & { prompt: () => Promise<void> }) | null,
};

const indicatorOf = (code: string): Pick<Indicator, 'name' | 'unit' | 'decimals'> =>
  state.indicators.find((i) => i.code === code) ?? { name: code, unit: '', decimals: 0 };

/** The user's own org first, then the rest of their subtree by name. */
function orgChoices(): Org[] {
  const me = currentSession()?.user.orgId;
  return [...state.orgs].sort((a, b) => Number(b.id === me) - Number(a.id === me) || a.name.localeCompare(b.name, 'zh-CN'));
}

// ---- toast ----------------------------------------------------------------------------------

let toastTimer: ReturnType<typeof setTimeout> | undefined;
function toast(text: string, kind: 'ok' | 'warn' | 'error' = 'ok') {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = text;
  el.className = `toast toast-${kind} toast-show`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.className = 'toast'), 3200);
}

// ---- login ----------------------------------------------------------------------------------

function langButton() {
  return h(
    'button',
    {
      type: 'button',
      class: 'link-button',
      'data-testid': 'rep-lang',
      onClick: () => {
        setLanguage(language() === 'en' ? 'zh-CN' : 'en');
        document.title = t('title');
        render();
      },
    },
    t('lang'),
  );
}

function renderLogin() {
  const error = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'login-error' }, state.loginNotice);
  const username = h('input', { name: 'username', autocomplete: 'username', autocapitalize: 'off', required: true, 'data-testid': 'login-username' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const button = h('button', { type: 'submit', class: 'primary big', 'data-testid': 'login-submit' }, t('login'));
  const form = h(
    'form',
    {
      class: 'card login-card',
      onSubmit: async (e: Event) => {
        e.preventDefault();
        if (!navigator.onLine) {
          error.textContent = t('loginOffline');
          return;
        }
        button.disabled = true;
        button.textContent = t('loggingIn');
        error.textContent = '';
        try {
          const session = await api.login(username.value.trim(), password.value);
          saveSession({ user: session.user, csrfToken: session.csrfToken });
          state.loginNotice = '';
          state.draft.orgId = session.user.orgId;
          await loadReference();
          render();
          void afterSignIn();
        } catch (err) {
          password.value = '';
          error.textContent = err instanceof ApiError ? err.message || (err.status === 0 ? t('networkError') : err.code) : String(err);
          button.disabled = false;
          button.textContent = t('login');
        }
      },
    },
    h('label', { class: 'field' }, h('span', null, t('username')), username),
    h('label', { class: 'field' }, h('span', null, t('password')), password),
    error,
    button,
  );
  fill(
    root,
    h(
      'div',
      { class: 'login' },
      h('div', { class: 'login-lang' }, langButton()),
      h('header', { class: 'login-brand' }, h('div', { class: 'logo', 'aria-hidden': 'true' }), h('h1', null, t('title')), h('p', null, t('subtitle'))),
      form,
      h('p', { class: 'foot' }, h('a', { href: '/' }, t('admin'))),
    ),
    h('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' }),
  );
  username.focus();
}

// ---- main screen ----------------------------------------------------------------------------

let refs: {
  status: HTMLElement;
  statusText: HTMLElement;
  dot: HTMLElement;
  syncNow: HTMLButtonElement;
  queueList: HTMLElement;
  queueCard: HTMLElement;
  history: HTMLElement;
  historyNote: HTMLElement;
  chips: HTMLElement;
  org: HTMLElement;
  unit: HTMLElement;
  value: HTMLInputElement;
  note: HTMLTextAreaElement;
  date: HTMLInputElement;
  formError: HTMLElement;
  install: HTMLButtonElement;
} | null = null;

function renderMain() {
  const session = currentSession()!;
  const d = state.draft;
  if (!d.orgId || !state.orgs.some((o) => o.id === d.orgId)) d.orgId = session.user.orgId;

  const ownOrg = state.orgs.find((o) => o.id === session.user.orgId);
  const install = h('button', { type: 'button', class: 'link-button', hidden: !state.installPrompt, onClick: installApp }, t('install'));
  const header = h(
    'header',
    { class: 'top' },
    h('div', { class: 'top-brand' }, h('div', { class: 'logo small', 'aria-hidden': 'true' }), h('span', null, t('title'))),
    h('div', { class: 'top-actions' }, install, langButton(), h('button', { type: 'button', class: 'link-button', onClick: logout, 'data-testid': 'rep-logout' }, t('logout'))),
    h('div', { class: 'top-who', 'data-testid': 'rep-who' }, session.user.displayName, ownOrg ? ` · ${ownOrg.name}` : ''),
  );

  const dot = h('span', { class: 'dot' });
  const statusText = h('span', { class: 'status-text', 'data-testid': 'rep-sync-status' });
  const syncNow = h('button', { type: 'button', class: 'status-button', onClick: () => void sync(), 'data-testid': 'rep-sync-now' }, t('syncNow'));
  const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' }, dot, statusText, syncNow);

  // The form.
  const org = h('div', { class: 'field' });
  const chips = h('div', { class: 'chips', role: 'radiogroup', 'aria-label': t('indicator') });
  const date = h('input', {
    type: 'date',
    value: d.date,
    max: localDate(),
    required: true,
    'data-testid': 'rep-date',
    onInput: (e: Event) => (d.date = (e.target as HTMLInputElement).value),
  });
  const unit = h('span', { class: 'unit' });
  const value = h('input', {
    inputmode: 'decimal',
    enterkeyhint: 'done',
    autocomplete: 'off',
    placeholder: '0',
    value: d.value,
    'aria-label': t('value'),
    'data-testid': 'rep-value',
    onInput: (e: Event) => (d.value = (e.target as HTMLInputElement).value),
  });
  const note = h('textarea', {
    rows: 2,
    maxlength: 500,
    placeholder: t('notePlaceholder'),
    'data-testid': 'rep-note',
    onInput: (e: Event) => (d.note = (e.target as HTMLTextAreaElement).value),
  });
  note.value = d.note;
  const formError = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'rep-form-error' });
  const form = h(
    'form',
    { class: 'card entry', novalidate: true, onSubmit: submit },
    org,
    h('fieldset', { class: 'field' }, h('legend', null, t('indicator')), chips),
    h('label', { class: 'field' }, h('span', null, t('date')), date),
    h('label', { class: 'field' }, h('span', null, t('value')), h('div', { class: 'value-box' }, value, unit)),
    h('label', { class: 'field' }, h('span', null, t('note')), note),
    formError,
    h('button', { type: 'submit', class: 'primary big', 'data-testid': 'rep-submit' }, t('submit')),
  );

  const queueList = h('ul', { class: 'list', 'data-testid': 'rep-queue-list' });
  const queueCard = h('section', { class: 'card', 'aria-label': t('queueTitle') }, h('h2', null, t('queueTitle')), queueList);
  const historyNote = h('p', { class: 'muted small' });
  const history = h('ul', { class: 'list', 'data-testid': 'rep-history' });
  const historyCard = h('section', { class: 'card', 'aria-label': t('historyTitle') }, h('h2', null, t('historyTitle')), historyNote, history);

  const canReport = session.user.roles.some((r) => r === 'reporter' || r === 'publicity');
  fill(
    root,
    header,
    status,
    h(
      'main',
      { class: 'main' },
      canReport ? null : h('p', { class: 'card warn' }, t('reporterOnly')),
      form,
      queueCard,
      historyCard,
      h('p', { class: 'foot' }, h('a', { href: '/' }, t('admin'))),
    ),
    h('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' }),
  );
  refs = { status, statusText, dot, syncNow, queueList, queueCard, history, historyNote, chips, org, unit, value, note, date, formError, install };
  renderOrgs();
  renderChips();
  renderStatus();
  renderQueue();
  renderHistory();
}

function renderOrgs() {
  if (!refs) return;
  const choices = orgChoices();
  const d = state.draft;
  if (choices.length <= 1) {
    fill(refs.org, h('span', null, t('org')), h('div', { class: 'static', 'data-testid': 'rep-org' }, choices[0]?.name ?? t('noOrgs')));
    return;
  }
  const select = h(
    'select',
    { 'data-testid': 'rep-org', onChange: (e: Event) => (d.orgId = (e.target as HTMLSelectElement).value) },
    choices.map((o) => h('option', { value: o.id, selected: o.id === d.orgId }, o.name)),
  );
  fill(refs.org, h('label', null, h('span', null, t('org')), select));
}

function renderChips() {
  if (!refs) return;
  const d = state.draft;
  if (!state.indicators.some((i) => i.code === d.indicator)) d.indicator = '';
  fill(
    refs.chips,
    state.indicators.map((ind) =>
      h(
        'button',
        {
          type: 'button',
          class: ind.code === d.indicator ? 'chip chip-on' : 'chip',
          role: 'radio',
          'aria-checked': String(ind.code === d.indicator),
          'data-code': ind.code,
          'data-testid': `rep-indicator-${ind.code}`,
          onClick: () => {
            d.indicator = ind.code;
            renderChips();
            refs?.value.focus();
          },
        },
        h('span', { class: 'chip-name' }, ind.name),
        h('span', { class: 'chip-unit' }, ind.unit),
      ),
    ),
  );
  const ind = state.indicators.find((i) => i.code === d.indicator);
  refs.unit.textContent = ind?.unit ?? '';
  refs.value.inputMode = ind && ind.decimals === 0 ? 'numeric' : 'decimal';
}

function renderStatus() {
  if (!refs) return;
  const userId = currentSession()?.user.id;
  const mine = state.queue.filter((r) => r.userId === userId);
  const waiting = mine.filter((r) => !r.error).length;
  const failed = mine.filter((r) => r.error).length;
  const online = navigator.onLine;
  let text: string;
  let kind: string;
  if (state.sending) [text, kind] = [t('syncing', { n: state.sending }), 'busy'];
  else if (waiting) [text, kind] = [t('pending', { n: waiting }), 'waiting'];
  else if (failed) [text, kind] = [t('failed', { n: failed }), 'failed'];
  else [text, kind] = [t('synced'), 'ok'];
  if (waiting && failed && !state.sending) text += ` · ${t('failed', { n: failed })}`;
  refs.status.className = `status status-${kind}`;
  refs.dot.className = online ? 'dot dot-on' : 'dot dot-off';
  refs.dot.title = online ? t('online') : t('offline');
  const extra = !online ? t('offline') : state.problem === 'server' ? t('serverError') : state.problem === 'offline' ? t('networkError') : state.lastSync ? t('lastSync', { time: clock(state.lastSync) }) : '';
  fill(refs.statusText, h('strong', null, text), extra ? h('small', null, extra) : null);
  refs.syncNow.hidden = !(waiting && online && !state.sending);
}

function renderQueue() {
  if (!refs) return;
  const userId = currentSession()?.user.id;
  const mine = state.queue.filter((r) => r.userId === userId);
  refs.queueCard.hidden = mine.length === 0;
  fill(
    refs.queueList,
    mine.map((r) => {
      const ind = indicatorOf(r.indicator);
      const remove = confirmButton(t('remove'), async () => {
        await outbox.remove([r.clientId]);
        await refreshQueue();
      });
      const edit = h(
        'button',
        {
          type: 'button',
          class: 'small-button',
          onClick: async () => {
            Object.assign(state.draft, { orgId: r.orgId, indicator: r.indicator, date: r.date, value: String(r.value), note: r.note ?? '' });
            await outbox.remove([r.clientId]);
            await refreshQueue();
            renderMain();
            refs?.value.focus();
            toast(t('backToForm'), 'warn');
          },
        },
        t('edit'),
      );
      // A record may be on its way to the server: changing it then could count it twice.
      const locked = !r.error && isFlushing();
      return h(
        'li',
        { class: r.error ? 'item item-error' : 'item', 'data-testid': 'rep-queue-item' },
        h('div', { class: 'item-main' }, h('strong', null, `${ind.name} ${formatValue(r.value)} ${ind.unit}`), h('span', { class: r.error ? 'tag tag-error' : 'tag tag-wait' }, r.error ? t('needsFix') : t('queueTitle'))),
        h('div', { class: 'item-sub' }, `${r.orgName} · ${r.date}${r.note ? ` · ${r.note}` : ''}`),
        r.error ? h('div', { class: 'item-reason', 'data-testid': 'rep-queue-error' }, r.error) : null,
        locked ? null : h('div', { class: 'item-actions' }, edit, remove),
      );
    }),
  );
}

function renderHistory() {
  if (!refs) return;
  refs.historyNote.textContent = state.history === null ? t('historyLoading') : state.historyStale ? t('historyOffline') : '';
  const list = state.history ?? [];
  if (state.history !== null && !list.length) {
    fill(refs.history, h('li', { class: 'empty' }, t('historyEmpty')));
    return;
  }
  const statusLabel = { counted: t('statusCounted'), pending_review: t('statusPending'), rejected: t('statusRejected'), deleted: t('statusDeleted') };
  const shown = state.historyAll ? list : list.slice(0, HISTORY_SHOWN);
  const more =
    list.length > shown.length
      ? h(
          'li',
          { class: 'more' },
          h(
            'button',
            {
              type: 'button',
              class: 'small-button',
              onClick: () => {
                state.historyAll = true;
                renderHistory();
              },
            },
            t('showAll', { n: list.length }),
          ),
        )
      : null;
  fill(
    refs.history,
    shown.map((r) => {
      const ind = indicatorOf(r.indicator);
      const deletable = r.status !== 'deleted' && Date.now() - Date.parse(r.createdAt) < CORRECTION_WINDOW_MS;
      return h(
        'li',
        { class: `item item-${r.status}`, 'data-testid': 'rep-history-item', 'data-id': r.id },
        h(
          'div',
          { class: 'item-main' },
          h('strong', { class: r.status === 'deleted' || r.status === 'rejected' ? 'void' : '' }, `${ind.name} ${formatValue(r.value)} ${ind.unit}`),
          h('span', { class: `tag tag-${r.status}` }, statusLabel[r.status] ?? r.status),
        ),
        h('div', { class: 'item-sub' }, `${r.orgName} · ${r.date}${r.note ? ` · ${r.note}` : ''}`),
        r.reviewReason && r.status === 'pending_review' ? h('div', { class: 'item-reason' }, r.reviewReason) : null,
        deletable && !state.historyStale ? h('div', { class: 'item-actions' }, confirmButton(t('remove'), () => deleteRecord(r), `rep-delete-${r.id}`)) : null,
      );
    }),
    more,
  );
}

/** Two taps to destroy: the first arms the button for a few seconds. */
function confirmButton(label: string, action: () => Promise<void>, testId?: string) {
  let armed: ReturnType<typeof setTimeout> | undefined;
  const button = h('button', { type: 'button', class: 'small-button danger', 'data-testid': testId }, label);
  button.addEventListener('click', async () => {
    if (!armed) {
      button.textContent = t('confirmRemove');
      button.classList.add('armed');
      armed = setTimeout(() => {
        armed = undefined;
        button.textContent = label;
        button.classList.remove('armed');
      }, 4000);
      return;
    }
    clearTimeout(armed);
    button.disabled = true;
    await action();
  });
  return button;
}

// ---- actions --------------------------------------------------------------------------------

async function submit(e: Event) {
  e.preventDefault();
  if (!refs) return;
  const session = currentSession();
  if (!session) return;
  const d = state.draft;
  const ind = state.indicators.find((i) => i.code === d.indicator);
  const problem = (text: string, focus?: HTMLElement) => {
    refs!.formError.textContent = text;
    focus?.focus();
  };
  if (!ind) return problem(t('pickIndicator'));
  const raw = normaliseNumber(refs.value.value);
  if (!raw) return problem(t('needValue'), refs.value);
  if (!/^\d+(\.\d+)?$/.test(raw)) return problem(t('badValue'), refs.value);
  const value = Number(raw);
  if (value > 1e9) return problem(t('tooLarge'), refs.value);
  const decimals = raw.includes('.') ? raw.split('.')[1]!.replace(/0+$/, '').length : 0;
  if (decimals > ind.decimals) return problem(ind.decimals === 0 ? t('wholeValue', { name: ind.name }) : t('decimalsValue', { name: ind.name, d: ind.decimals }), refs.value);
  const date = refs.date.value || localDate();
  if (date > localDate()) return problem(t('futureDate'), refs.date);
  refs.formError.textContent = '';

  const org = state.orgs.find((o) => o.id === d.orgId) ?? { id: session.user.orgId, name: '' };
  const record: Queued = {
    clientId: uuid(),
    userId: session.user.id,
    orgId: org.id,
    orgName: org.name,
    date,
    indicator: ind.code,
    value,
    note: refs.note.value.trim() || null,
    queuedAt: new Date().toISOString(),
  };
  // The outbox first: once this resolves the record survives a closed tab or a dead battery.
  await outbox.put(record);
  store.set(KEYS.choice, { orgId: org.id, indicator: ind.code });
  d.value = '';
  d.note = '';
  refs.value.value = '';
  refs.note.value = '';
  toast(t('saved', { text: `${ind.name} ${formatValue(value)}${ind.unit}`, next: navigator.onLine ? t('savedOnline') : t('savedOffline') }));
  await refreshQueue();
  void sync();
}

async function refreshQueue() {
  try {
    state.queue = await outbox.all();
  } catch {
    state.queue = [];
  }
  renderStatus();
  renderQueue();
}

async function sync() {
  if (!currentSession()) return;
  if (!navigator.onLine) {
    renderStatus();
    return;
  }
  const outcome = await flush((n) => {
    state.sending = n;
    renderStatus();
    renderQueue();
  });
  state.sending = 0;
  state.problem = outcome.kind === 'offline' || outcome.kind === 'server' ? outcome.kind : '';
  if (outcome.kind === 'done' && outcome.sent.length) {
    state.lastSync = new Date().toISOString();
    store.set(KEYS.lastSync, state.lastSync);
    if (outcome.sent.some((r) => r.review)) toast(t('review'), 'warn');
    void loadHistory();
  }
  await refreshQueue();
  if (outcome.kind === 'unauthenticated') {
    state.loginNotice = t('sessionExpired');
    render();
  }
}

async function loadHistory() {
  const session = currentSession();
  if (!session) return;
  const key = KEYS.history(session.user.id);
  if (!navigator.onLine) {
    state.history = store.get<ServerRecord[]>(key) ?? [];
    state.historyStale = true;
    renderHistory();
    return;
  }
  try {
    state.history = await api.mine();
    state.historyStale = false;
    store.set(key, state.history);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      saveSession(null);
      state.loginNotice = t('sessionExpired');
      render();
      return;
    }
    state.history = store.get<ServerRecord[]>(key) ?? [];
    state.historyStale = true;
  }
  renderHistory();
}

async function deleteRecord(r: ServerRecord) {
  if (!navigator.onLine) {
    toast(t('deleteOffline'), 'warn');
    renderHistory();
    return;
  }
  try {
    await api.remove(r.id);
    toast(t('deleted'));
  } catch (err) {
    toast(t('deleteFailed', { msg: err instanceof ApiError ? err.message || (err.status === 0 ? t('networkError') : err.code) : String(err) }), 'error');
  }
  await loadHistory();
}

/** Indicators and orgs, kept for offline use (and cached by the service worker as well). */
async function loadReference() {
  const [indicators, orgs] = await Promise.allSettled([api.indicators(), api.orgs()]);
  if (indicators.status === 'fulfilled') {
    state.indicators = indicators.value;
    store.set(KEYS.indicators, indicators.value);
  }
  if (orgs.status === 'fulfilled') {
    state.orgs = orgs.value;
    store.set(KEYS.orgs, orgs.value);
  }
  renderOrgs();
  renderChips();
}

async function afterSignIn() {
  await refreshQueue();
  await Promise.all([sync(), loadHistory()]);
}

async function logout() {
  const session = currentSession();
  const waiting = state.queue.filter((r) => r.userId === session?.user.id && !r.error).length;
  if (waiting && !window.confirm(t('logoutPending', { n: waiting }))) return;
  try {
    if (navigator.onLine) await api.logout();
  } catch {
    // the local sign-out below is what matters on this phone
  }
  if (session) store.remove(KEYS.history(session.user.id));
  store.remove(KEYS.choice);
  Object.assign(state.draft, { orgId: '', indicator: '', value: '', note: '' });
  saveSession(null);
  state.history = null;
  state.loginNotice = '';
  if ('caches' in window) void caches.delete(API_CACHE);
  render();
}

async function installApp() {
  const prompt = state.installPrompt;
  if (!prompt) return;
  state.installPrompt = null;
  refs?.install.setAttribute('hidden', '');
  await prompt.prompt();
}

function render() {
  document.title = t('title');
  refs = null;
  if (currentSession()) renderMain();
  else renderLogin();
}

// ---- start ----------------------------------------------------------------------------------

async function start() {
  setLanguage(language());
  render();
  window.addEventListener('online', () => {
    renderStatus();
    void sync();
    void loadHistory();
  });
  window.addEventListener('offline', () => renderStatus());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void sync();
  });
  setInterval(() => {
    const waiting = state.queue.some((r) => !r.error && r.userId === currentSession()?.user.id);
    if (waiting && navigator.onLine && !isFlushing()) void sync();
  }, RETRY_MS);
  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault();
    state.installPrompt = e as Event & { prompt: () => Promise<void> };
    refs?.install.removeAttribute('hidden');
  });
  registerServiceWorker();

  const session = currentSession();
  if (!session) return;
  state.draft.orgId ||= session.user.orgId;
  await refreshQueue();
  if (navigator.onLine) {
    try {
      const me = await api.me();
      saveSession({ user: me.user, csrfToken: me.csrfToken ?? session.csrfToken });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        saveSession(null);
        state.loginNotice = t('sessionExpired');
        render();
        return;
      }
    }
    await loadReference();
  }
  await Promise.all([sync(), loadHistory()]);
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return;
  const hadController = !!navigator.serviceWorker.controller;
  void navigator.serviceWorker.register('/reporter/sw.js', { scope: '/reporter/' }).catch(() => undefined);
  // A new version took over (it activates at once): offer a reload rather than force one mid-entry.
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!hadController || document.getElementById('update-banner')) return;
    document.body.appendChild(h('button', { id: 'update-banner', type: 'button', class: 'update-banner', onClick: () => location.reload() }, t('update')));
  });
}

// Served at /reporter (no slash) the page would sit outside its service worker's scope (/reporter/)
// and could not open offline next time: move into the scope first.
if (location.pathname === '/reporter') location.replace(`/reporter/index.html${location.search}${location.hash}`);
else void start();
