/**
 * The observers' dashboard, live (docs/spec/observe.md §OBS-5). The page is a
 * complete snapshot without this script; with it, a Server-Sent Events stream
 * replaces the figures when they change. The server sends at most one update
 * every few seconds; screen readers hear a short polite summary, at most once
 * every ANNOUNCE_MS and only when the size or the alerts change. "Pause" stops
 * the stream (WCAG 2.2.2). DOM text only: no HTML from strings (Trusted Types).
 */

const ANNOUNCE_MS = 10000;
const REOPEN_MS = 30000;

function json(id) {
  const node = document.getElementById(id);
  try {
    return node ? JSON.parse(node.textContent || 'null') : null;
  } catch {
    return null;
  }
}

const data = json('observe-data');
const messages = json('observe-messages') || {};

function t(key, values = {}) {
  const template = messages[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
}

function jst(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(d);
  return parts; // "2026-12-04 10:15", as the server renders it
}

function setText(id, value) {
  const node = document.getElementById(id);
  if (node && node.textContent !== String(value)) node.textContent = String(value);
}

function alertText(a) {
  return t(`alert.${a.code}`, { name: a.subject });
}

function render(s) {
  setText('head-size', s.head_size);
  setText('head-time', jst(s.head_time));
  setText('head-root', s.head_root || '—');
  setText('ballots-cast', s.ballots_cast);
  setText('paper-votes', s.paper_votes);

  const alerts = document.getElementById('observe-alerts');
  alerts.replaceChildren(
    ...(s.alerts.length
      ? s.alerts.map((a) => el('li', { class: 'notice notice--warning' }, [alertText(a)]))
      : [el('li', {}, [t('alerts.none')])]),
  );

  const phases = document.querySelectorAll('#observe-phases li');
  const order = [...phases].map((li) => li.dataset.phase);
  const reached = order.indexOf(s.phase);
  phases.forEach((li, i) => {
    li.classList.toggle('is-current', li.dataset.phase === s.phase);
    li.classList.toggle('is-done', reached >= 0 && i < reached);
    if (li.dataset.phase === s.phase) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  });
  const ceremony = document.getElementById('observe-ceremony');
  ceremony.hidden = !s.ceremony;
  if (s.ceremony) {
    for (const [kind, heard] of Object.entries(s.ceremony)) {
      const dd = ceremony.querySelector(`dd[data-kind="${CSS.escape(kind)}"]`);
      if (dd) dd.textContent = dd.textContent.replace(/^\d+/, String(heard));
    }
  }

  const cols = data.witness ? 6 : 5;
  const witnesses = document.getElementById('observe-witnesses');
  if (s.witnesses.length) {
    witnesses.replaceChildren(
      ...s.witnesses.map((w) => {
        const cells = [
          el('th', { scope: 'row', lang: 'en' }, [w.name]),
          el('td', {}, [el('code', { lang: 'en' }, [w.key_id])]),
          el('td', {}, [String(w.last_size)]),
          el('td', {}, [String(w.lag)]),
          el('td', {}, [t(w.behind ? 'witness.behind' : 'witness.current')]),
        ];
        if (data.witness) cells.push(el('td', {}, [(s.detail && s.detail.last_cosigned_at[w.name]) || '']));
        return el('tr', {}, cells);
      }),
    );
  } else if (witnesses.querySelector('tr td[colspan]') === null) {
    witnesses.replaceChildren(el('tr', {}, [el('td', { colspan: String(cols) }, ['—'])]));
  }

  const buckets = document.getElementById('observe-buckets');
  if (s.buckets.length) {
    const peak = Math.max(...s.buckets.map((b) => b.ballots), 1);
    buckets.replaceChildren(
      ...s.buckets.map((b) =>
        el('tr', {}, [
          el('th', { scope: 'row' }, [jst(b.start)]),
          el('td', {}, [
            el('span', { class: 'observe-count' }, [String(b.ballots)]),
            ' ',
            el('meter', { min: '0', max: String(peak), value: String(b.ballots), 'aria-hidden': 'true' }),
          ]),
        ]),
      ),
    );
  }

  if (data.witness && s.detail) {
    setText('detail-head', s.detail.signed_head);
    const report = document.getElementById('detail-report');
    report.replaceChildren(
      ...Object.entries(s.detail.report)
        .filter(([k]) => k !== 'election_id')
        .flatMap(([k, v]) => [el('dt', { lang: 'en' }, [k]), el('dd', {}, [String(v)])]),
    );
    const actions = document.getElementById('detail-actions');
    actions.replaceChildren(
      ...s.detail.actions.map((a) =>
        el('tr', {}, [el('td', {}, [a.at]), el('td', { lang: 'en' }, [a.kind]), el('td', { lang: 'en' }, [a.actor])]),
      ),
    );
  }
}

let lastAnnounced = '';
let lastAnnounceAt = 0;
let pendingAnnounce = null;

/** A polite summary, never more often than ANNOUNCE_MS, only when it changed. */
function announce(s) {
  const alerts = s.alerts.length ? s.alerts.map(alertText).join(' ') : t('alerts.none');
  const text = t('announce', { size: s.head_size, alerts });
  if (text === lastAnnounced) return;
  const wait = lastAnnounceAt + ANNOUNCE_MS - Date.now();
  clearTimeout(pendingAnnounce);
  const speak = () => {
    lastAnnounced = text;
    lastAnnounceAt = Date.now();
    setText('observe-announce', text);
  };
  if (wait <= 0) speak();
  else pendingAnnounce = setTimeout(speak, wait);
}

let source = null;
let paused = false;
let reopen = null;

function status(key) {
  setText('observe-status-text', t(key));
}

function open() {
  if (!data || !data.stream || typeof EventSource === 'undefined') return;
  source = new EventSource(data.stream);
  source.addEventListener('open', () => status('stream.live'));
  source.addEventListener('snapshot', (event) => {
    let s;
    try {
      s = JSON.parse(event.data);
    } catch {
      return;
    }
    render(s);
    announce(s);
  });
  source.addEventListener('error', () => {
    status('stream.lost');
    if (source.readyState === EventSource.CLOSED) {
      // Refused (too many streams) or the server is gone: try again later.
      source = null;
      clearTimeout(reopen);
      reopen = setTimeout(() => { if (!paused) open(); }, REOPEN_MS);
    }
  });
}

function close() {
  if (source) source.close();
  source = null;
  clearTimeout(reopen);
}

function start() {
  if (!data) return;
  // The page already shows this snapshot: announce only what changes later.
  lastAnnounced = t('announce', {
    size: data.snapshot.head_size,
    alerts: data.snapshot.alerts.length ? data.snapshot.alerts.map(alertText).join(' ') : t('alerts.none'),
  });
  lastAnnounceAt = Date.now();
  const button = document.getElementById('observe-pause');
  button.addEventListener('click', () => {
    paused = !paused;
    button.setAttribute('aria-pressed', String(paused));
    if (paused) {
      close();
      status('stream.paused');
    } else {
      open();
    }
  });
  open();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
