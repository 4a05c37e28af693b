// The Kyperian operator console: plain JavaScript, no build step, no third-party code.
// It reads the operator API with the key kept in this tab's sessionStorage, follows GET /events for live
// decisions, the risk state, risk events and health (or polls through the same endpoint where the host buffers
// responses), and never shows or logs the key.
'use strict';

(() => {
  const KEY_STORAGE = 'kyperian.operatorKey';
  const MAX_DECISIONS = 100;
  const MAX_EVENTS = 20;
  const REFRESH_EVERY_MS = 30000;
  const SVG = 'http://www.w3.org/2000/svg';

  const state = {
    info: null,
    key: sessionStorage.getItem(KEY_STORAGE),
    decisions: [],
    riskEvents: [],
    lastEventId: null,
    refreshTimer: null,
    settingsTimer: null,
    periodic: null,
    stream: null,
    generation: 0,
    confirmAction: null,
  };

  const $ = (id) => document.getElementById(id);

  class AuthError extends Error {}

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  function headers(extra) {
    const h = new Headers(extra || {});
    if (state.key) {
      h.set('X-Api-Key', state.key);
    }
    return h;
  }

  async function api(path, options) {
    const init = Object.assign({ cache: 'no-store' }, options || {});
    init.headers = headers(init.body ? { 'Content-Type': 'application/json' } : {});
    const response = await fetch(path, init);
    if (response.status === 401) {
      throw new AuthError('The operator key was refused.');
    }
    if (response.status === 429) {
      throw new AuthError('Too many wrong operator keys from this address: wait a minute, then try again.');
    }
    if (!response.ok && !(path === 'health' && response.status === 503)) {
      let detail = response.statusText;
      try {
        const problem = await response.json();
        detail = problem.detail || problem.title || detail;
      } catch {
        // Not problem+json: the status text says enough.
      }
      throw new HttpError(response.status, `${path}: ${response.status} ${detail}`);
    }
    return response.json();
  }

  function text(element, value) {
    element.textContent = value == null ? '' : String(value);
    return element;
  }

  function el(tag, className, content) {
    const e = document.createElement(tag);
    if (className) {
      e.className = className;
    }
    if (content != null) {
      e.textContent = String(content);
    }
    return e;
  }

  function showError(message) {
    const box = $('error');
    box.hidden = !message;
    text(box, message || '');
  }

  function setConnection(status, label) {
    const pill = $('connection');
    pill.dataset.state = status;
    text(pill, label);
  }

  function age(seconds) {
    if (seconds < 90) return `${Math.round(seconds)} s`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
    if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
    return `${Math.round(seconds / 86400)} d`;
  }

  function time(iso) {
    const d = new Date(iso);
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  function percent(value) {
    return `${Number(value || 0).toFixed(2)} %`;
  }

  // One line in words, as the service wrote it (what the decision did to the position, or every veto reason).
  function explain(decision) {
    return decision.explanation || (decision.reasons || []).join(', ');
  }

  // "Long 0.72 % at 97000" or "Flat".
  function positionText(position) {
    if (!position || !position.side || position.side === 'Flat') {
      return 'Flat';
    }
    const price = position.entryPrice == null ? 'an unknown price' : position.entryPrice;
    return `${position.side} ${Number(Number(position.sizePct).toFixed(2))} % at ${price}`;
  }

  // ---- key and start -------------------------------------------------------------------------------------------

  function askForKey(message) {
    stop();
    $('dashboard').hidden = true;
    $('key-form').hidden = false;
    $('change-key').hidden = true;
    setConnection('idle', 'locked');
    showError(message || '');
    $('key-input').value = '';
    $('key-input').focus();
  }

  async function useKey(event) {
    event.preventDefault();
    const key = $('key-input').value.trim();
    if (!key) {
      return;
    }
    state.key = key;
    try {
      await api('risk');
    } catch (error) {
      state.key = null;
      sessionStorage.removeItem(KEY_STORAGE);
      askForKey(error instanceof AuthError ? error.message : `The console could not reach the service: ${error.message}`);
      return;
    }
    sessionStorage.setItem(KEY_STORAGE, key);
    $('key-form').hidden = true;
    start();
  }

  async function boot() {
    $('key-form').addEventListener('submit', useKey);
    $('change-key').addEventListener('click', () => {
      state.key = null;
      sessionStorage.removeItem(KEY_STORAGE);
      askForKey('');
    });
    $('halt-button').addEventListener('click', () => confirmRisk('halt'));
    $('resume-button').addEventListener('click', () => confirmRisk('resume'));
    $('confirm-dialog').addEventListener('close', onConfirmClosed);

    try {
      state.info = await (await fetch('console/info', { cache: 'no-store' })).json();
    } catch (error) {
      showError(`The console could not reach the service: ${error.message}`);
      setConnection('down', 'offline');
      return;
    }
    text($('environment'), `${state.info.environment} · ${state.info.role}`);
    $('positions-card').hidden = !state.info.positions;
    $('notifications-card').hidden = !state.info.notifications;
    $('performance-card').hidden = !state.info.performance;
    if (!state.info.keyRequired) {
      $('open-notice').hidden = false;
      start();
    } else if (state.key) {
      start();
    } else {
      askForKey('');
    }
  }

  function start() {
    showError('');
    $('dashboard').hidden = false;
    $('change-key').hidden = !state.info.keyRequired;
    refreshAll().then(() => follow());
    clearInterval(state.periodic);
    state.periodic = setInterval(() => refreshAll(), REFRESH_EVERY_MS);
  }

  function stop() {
    state.generation++;
    clearInterval(state.periodic);
    clearTimeout(state.refreshTimer);
    clearTimeout(state.settingsTimer);
    if (state.stream) {
      state.stream.abort();
      state.stream = null;
    }
  }

  function failed(error) {
    if (error instanceof AuthError) {
      state.key = null;
      sessionStorage.removeItem(KEY_STORAGE);
      askForKey(error.message);
      return true;
    }
    showError(error.message);
    return false;
  }

  // ---- reading -------------------------------------------------------------------------------------------------

  async function refreshAll() {
    try {
      const [symbols, decisions, stats, risk, riskEvents, health, positions, notifications, performance] = await Promise.all([
        api('symbols'),
        api('decisions?limit=50&view=summary'),
        api('stats'),
        api('risk'),
        api(`risk/events?limit=${MAX_EVENTS}`),
        api('health'),
        state.info.positions ? api('positions') : Promise.resolve(null),
        state.info.notifications ? api('notifications?status=failed&limit=20') : Promise.resolve(null),
        state.info.performance ? api('performance') : Promise.resolve(null),
      ]);
      showError('');
      renderMatrix(symbols.symbols);
      state.decisions = decisions.decisions;
      renderDecisions(new Set());
      renderVetoes(stats);
      renderRisk(risk);
      state.riskEvents = riskEvents;
      renderRiskEvents(new Set());
      renderHealth(health);
      if (positions) renderPositions(positions);
      if (notifications) renderNotifications(notifications);
      if (performance) renderPerformance(performance.performance);
      await refreshSettings();
    } catch (error) {
      failed(error);
    }
  }

  // The settings in force and the audit log: operator actions (here or elsewhere) change them.
  async function refreshSettings() {
    const [settings, audit] = await Promise.all([api('settings'), api('audit?limit=10')]);
    renderSettings(settings);
    renderAudit(audit);
  }

  function refreshSettingsSoon() {
    clearTimeout(state.settingsTimer);
    state.settingsTimer = setTimeout(() => refreshSettings().catch(failed), 300);
  }

  // Symbols and statistics change with every decision: read them again shortly after a burst settles.
  function refreshSoon() {
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(async () => {
      try {
        const [symbols, stats, positions] = await Promise.all([
          api('symbols'),
          api('stats'),
          state.info.positions ? api('positions') : Promise.resolve(null),
        ]);
        renderMatrix(symbols.symbols);
        renderVetoes(stats);
        if (positions) renderPositions(positions);
      } catch (error) {
        failed(error);
      }
    }, 500);
  }

  // ---- live events ---------------------------------------------------------------------------------------------

  async function follow() {
    const generation = state.generation;
    let retry = 2000;
    while (generation === state.generation) {
      const controller = new AbortController();
      state.stream = controller;
      try {
        const h = headers({ Accept: 'text/event-stream' });
        if (state.lastEventId) {
          h.set('Last-Event-ID', state.lastEventId);
        }
        const response = await fetch('events', { headers: h, cache: 'no-store', signal: controller.signal });
        if (response.status === 401 || response.status === 429) {
          failed(new AuthError('The operator key was refused.'));
          return;
        }
        if (!response.ok || !response.body) {
          throw new Error(`events: ${response.status}`);
        }
        retry = await readEvents(response.body, generation, retry);
      } catch (error) {
        if (generation !== state.generation) {
          return;
        }
        setConnection('down', 'reconnecting…');
        retry = Math.min(retry * 2, 30000);
      }
      await new Promise((resolve) => setTimeout(resolve, retry));
    }
  }

  async function readEvents(body, generation, retry) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done || generation !== state.generation) {
        return retry;
      }
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = { name: 'message', data: '', id: null };
        for (const line of block.split('\n')) {
          if (line.startsWith('retry: ')) retry = Number(line.slice(7)) || retry;
          else if (line.startsWith('event: ')) event.name = line.slice(7);
          else if (line.startsWith('data: ')) event.data += line.slice(6);
          else if (line.startsWith('id: ')) event.id = line.slice(4);
        }
        if (event.data) {
          onEvent(event);
        }
      }
    }
  }

  function onEvent(event) {
    const data = JSON.parse(event.data);
    switch (event.name) {
      case 'ready':
        setConnection(data.mode === 'stream' ? 'live' : 'polling', data.mode === 'stream' ? 'live' : 'polling');
        break;
      case 'decision':
        state.lastEventId = event.id;
        if (!state.decisions.some((d) => d.decisionId === data.decisionId)) {
          state.decisions.unshift(data);
          state.decisions.sort((a, b) => (a.decidedAt < b.decidedAt ? 1 : a.decidedAt > b.decidedAt ? -1 : 0));
          state.decisions.length = Math.min(state.decisions.length, MAX_DECISIONS);
          renderDecisions(new Set([data.decisionId]));
          refreshSoon();
        }
        break;
      case 'risk':
        renderRisk(data);
        refreshSettingsSoon();
        break;
      case 'riskEvent':
        if (!state.riskEvents.some((e) => e.eventId === data.eventId)) {
          state.riskEvents.unshift(data);
          state.riskEvents.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
          state.riskEvents.length = Math.min(state.riskEvents.length, MAX_EVENTS);
          renderRiskEvents(new Set([data.eventId]));
        }
        break;
      case 'health':
        renderHealth(data);
        break;
      default:
        break;
    }
  }

  // ---- rendering -----------------------------------------------------------------------------------------------

  function renderMatrix(symbols) {
    const table = $('matrix');
    const columns = [...new Set(symbols.flatMap((s) => s.timeframes.map((t) => t.timeframe)))];
    const order = new Map();
    for (const s of symbols) for (const t of s.timeframes) order.set(t.timeframe, seconds(t.timeframe));
    columns.sort((a, b) => order.get(a) - order.get(b));

    const head = document.createElement('tr');
    head.append(el('th', null, 'Symbol'), el('th', null, 'Position'), ...columns.map((c) => el('th', null, c)), el('th', null, 'Last decision'));
    table.tHead.replaceChildren(head);

    const rows = symbols.map((s) => {
      const row = document.createElement('tr');
      row.dataset.symbol = s.symbol;
      const name = el('th');
      name.scope = 'row';
      const open = el('button', null, s.symbol);
      open.type = 'button';
      open.addEventListener('click', () => showSymbol(s.symbol));
      name.append(open);
      const position = el('td', 'position', positionText(s.position));
      position.dataset.side = (s.position && s.position.side) || 'Flat';
      if (s.position && s.position.openedAt) {
        position.title = `opened ${new Date(s.position.openedAt).toLocaleString()}`;
      }
      row.append(name, position);
      for (const column of columns) {
        const t = s.timeframes.find((x) => x.timeframe === column);
        const cell = el('td', 'cell');
        cell.dataset.timeframe = column;
        if (!t) {
          cell.classList.add('none');
          text(cell, '·');
        } else {
          const direction = t.direction > 0 ? 'up' : t.direction < 0 ? 'down' : 'flat';
          cell.classList.add(direction);
          if (!t.live) cell.classList.add('stale');
          cell.style.setProperty('--conf', String(Math.max(0, Math.min(1, t.confidence / 100))));
          text(cell, `${direction === 'up' ? '▲' : direction === 'down' ? '▼' : '■'} ${t.confidence}`);
          cell.title = `${t.action} ${t.confidence}${t.confidenceAssumed ? ' (default: the alert sent none)' : ''} · ${age(t.ageSeconds)} ago${t.live ? '' : ' · stale'}`;
          cell.dataset.direction = direction;
          cell.dataset.live = String(t.live);
        }
        row.append(cell);
      }
      const last = el('td', 'last');
      if (s.lastDecision) {
        last.append(el('span', `verdict ${s.lastDecision.verdict}`, s.lastDecision.verdict), document.createTextNode(` ${explain(s.lastDecision)}`));
      } else {
        text(last, '—');
      }
      row.append(last);
      return row;
    });
    table.tBodies[0].replaceChildren(...rows);
    $('matrix-empty').hidden = symbols.length > 0;
  }

  function seconds(label) {
    const m = /^(\d*)([smhDWM]?)$/.exec(label);
    if (!m) return Number.MAX_SAFE_INTEGER;
    const n = m[1] ? Number(m[1]) : 1;
    const unit = { s: 1, m: 60, h: 3600, D: 86400, W: 604800, M: 2592000 }[m[2]] || 60;
    return n * unit;
  }

  async function showSymbol(symbol) {
    const box = $('symbol-detail');
    try {
      const detail = await api(`symbols/${encodeURIComponent(symbol)}`);
      const line = (o) => {
        const p = el('p');
        p.dataset.action = o.action;
        p.append(
          el('strong', null, `A ${o.action.toUpperCase()} on ${o.timeframe} now (${o.trade}): `),
          el('span', `verdict ${o.verdict}`, o.verdict),
          document.createTextNode(` ${o.explanation}`));
        return p;
      };
      box.replaceChildren(
        el('h3', null, `${symbol}: what the engine would decide now`),
        el('p', 'muted', `${positionText(detail.symbol.position)} · settings version ${detail.settingsVersion} · a dry run: nothing is recorded`),
        line(detail.buy), line(detail.sell), line(detail.exit));
      box.hidden = false;
    } catch (error) {
      failed(error);
    }
  }

  function renderDecisions(fresh) {
    const list = $('decisions');
    list.replaceChildren(...state.decisions.map((d) => {
      const item = el('li', fresh.has(d.decisionId) ? 'fresh' : null);
      item.dataset.decisionId = d.decisionId;
      item.dataset.verdict = d.verdict;
      item.append(
        el('span', 'when', time(d.decidedAt)),
        el('span', 'what', `${d.symbol} ${d.timeframe} ${d.action}${d.price == null ? '' : ` @ ${d.price}`}`),
        el('span', `verdict ${d.verdict}`, d.verdict),
        el('span', 'why', explain(d)));
      return item;
    }));
    $('decisions-empty').hidden = state.decisions.length > 0;
  }

  function renderVetoes(stats) {
    const svg = $('veto-chart');
    const reasons = Object.entries(stats.byReason || {}).sort((a, b) => b[1] - a[1]);
    const total = stats.decisions || 0;
    const rowHeight = 26;
    const width = 380;
    const labelWidth = 165;
    const height = Math.max(1, reasons.length) * rowHeight + 4;
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const nodes = [];
    reasons.forEach(([reason, count], i) => {
      const rate = total > 0 ? count / total : 0;
      const y = i * rowHeight + 2;
      const group = document.createElementNS(SVG, 'g');
      group.setAttribute('data-reason', reason);
      const label = document.createElementNS(SVG, 'text');
      label.setAttribute('x', '0');
      label.setAttribute('y', String(y + 15));
      label.textContent = reason;
      const track = document.createElementNS(SVG, 'rect');
      track.setAttribute('class', 'track');
      track.setAttribute('x', String(labelWidth));
      track.setAttribute('y', String(y + 3));
      track.setAttribute('width', String(width - labelWidth - 60));
      track.setAttribute('height', '16');
      const bar = document.createElementNS(SVG, 'rect');
      bar.setAttribute('class', 'bar');
      bar.setAttribute('x', String(labelWidth));
      bar.setAttribute('y', String(y + 3));
      bar.setAttribute('width', String(Math.max(1, rate * (width - labelWidth - 60))));
      bar.setAttribute('height', '16');
      const value = document.createElementNS(SVG, 'text');
      value.setAttribute('x', String(width - 55));
      value.setAttribute('y', String(y + 15));
      value.textContent = `${Math.round(rate * 100)} % (${count})`;
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${reason}: ${count} of ${total} decisions`;
      group.append(title, label, track, bar, value);
      nodes.push(group);
    });
    if (reasons.length === 0) {
      const empty = document.createElementNS(SVG, 'text');
      empty.setAttribute('x', '0');
      empty.setAttribute('y', '16');
      empty.textContent = 'No vetoes.';
      nodes.push(empty);
    }
    svg.replaceChildren(...nodes);
    const latency = stats.decisionLatency && stats.decisionLatency.p99Ms != null ? ` · decision latency p99 ≤ ${stats.decisionLatency.p99Ms} ms` : '';
    text($('vetoes-summary'), `${total} decisions, ${Math.round((stats.vetoRate || 0) * 100)} % vetoed${latency}`);
  }

  // The account as prop-firm rules see it: a breached daily limit holds until the next trading day, the total loss is
  // measured from the initial balance (or the peak), and warnings come before either.
  function renderRisk(risk) {
    const status = $('risk-state');
    const until = new Date(risk.nextDayStartsAt).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' });
    let message = 'Trading: entries allowed';
    let tone = 'good';
    if (risk.halted) {
      message = `Halted: ${risk.haltReason || 'by an operator'}`;
      tone = 'bad';
    } else if (risk.totalLimitReached) {
      message = `Total loss limit reached: entries vetoed`;
      tone = 'bad';
    } else if (risk.dailyLimitReached) {
      message = `Daily loss limit reached: entries vetoed until ${until}`;
      tone = 'bad';
    } else if (risk.warnDailyLossPct > 0 && risk.worstDailyLossPct >= risk.warnDailyLossPct) {
      message = 'Trading, past the daily loss warning';
      tone = 'warn';
    } else if (risk.warnTotalLossPct > 0 && risk.totalLossPct >= risk.warnTotalLossPct) {
      message = 'Trading, past the total loss warning';
      tone = 'warn';
    }
    text(status, message);
    status.className = `state ${tone}`;
    const card = $('risk-card');
    card.dataset.halted = String(risk.halted);
    card.dataset.dailyLimitReached = String(risk.dailyLimitReached);
    text($('risk-limits'), `Trading day ${risk.day}, next from ${until} · P&L ${risk.pnlSource === 'Model' ? 'from model trades' : 'as reported'}`);
    const figures = [
      ['P&L today', percent(risk.realizedPnlTodayPct)],
      ['Daily loss, worst', `${percent(risk.worstDailyLossPct)} of ${percent(risk.maxDailyLossPct)}`],
      [`Total loss, from ${risk.totalLossBasis === 'Peak' ? 'peak' : 'initial'}`, `${percent(risk.totalLossPct)} of ${percent(risk.maxTotalLossPct)}`],
      ['Warnings at', `${percent(risk.warnDailyLossPct)} daily, ${percent(risk.warnTotalLossPct)} total`],
      ['Entries today', risk.entriesToday],
    ];
    $('risk-figures').replaceChildren(...figures.flatMap(([k, v]) => [el('dt', null, k), el('dd', null, v)]));
    $('halt-button').disabled = risk.halted;
    $('resume-button').disabled = !risk.halted;
  }

  function renderRiskEvents(fresh) {
    $('risk-events').replaceChildren(...state.riskEvents.map((e) => {
      const item = el('li', fresh.has(e.eventId) ? 'fresh' : null);
      item.dataset.eventId = e.eventId;
      item.dataset.kind = e.kind;
      item.append(el('span', 'when', time(e.at)), document.createTextNode(e.text));
      return item;
    }));
    $('risk-events-empty').hidden = state.riskEvents.length > 0;
  }

  // The few settings a trader checks first; the version says whether run-time changes apply.
  function renderSettings(settings) {
    const engine = settings.engine;
    const changed = settings.changedFields && settings.changedFields.length > 0
      ? `version ${settings.version}: ${settings.changedFields.join(', ')} changed at run time`
      : `version ${settings.version}: as configured`;
    text($('settings-version'), `(${changed})`);
    $('settings-card').dataset.version = String(settings.version);
    const figures = [
      ['Minimum confidence', `${engine.minConfidence} (default ${engine.defaultConfidence})`],
      ['Agreeing live timeframes', `${engine.minLiveTimeframes}${engine.requireHigherTimeframe ? ', one higher' : ''}`],
      ['Cooldown', `${engine.cooldownSeconds} s`],
      ['Bar-close settle', `${engine.settleMilliseconds} ms`],
      ['Risk per trade', `${engine.riskPerTradePct} % (max ${engine.maxPositionPct} %)`],
    ];
    $('settings-figures').replaceChildren(...figures.flatMap(([k, v]) => [el('dt', null, k), el('dd', null, v)]));
  }

  function renderAudit(entries) {
    $('audit').replaceChildren(...entries.map((a) => {
      const item = el('li');
      item.dataset.kind = a.kind;
      item.append(el('span', 'when', time(a.at)), document.createTextNode(a.note ? `${a.text} Note: ${a.note}` : a.text));
      return item;
    }));
    $('audit-empty').hidden = entries.length > 0;
  }

  function renderHealth(health) {
    const status = $('health-state');
    text(status, health.status);
    status.className = `state ${health.status === 'Healthy' ? 'good' : 'bad'}`;
    const checks = Object.entries(health.checks || {}).map(([name, check]) => {
      const item = el('li');
      const value = typeof check === 'string' ? check : check.status;
      item.append(el('span', null, name), el('span', value === 'Healthy' ? null : 'state bad', value));
      return item;
    });
    $('health-checks').replaceChildren(...checks);
  }

  function renderPositions(positions) {
    const open = (Array.isArray(positions) ? positions : positions.positions || []).filter((p) => p.side && p.side !== 'Flat');
    $('positions').tBodies[0].replaceChildren(...open.map((p) => {
      const row = document.createElement('tr');
      row.dataset.symbol = p.symbol;
      row.dataset.side = p.side;
      row.append(el('td', null, p.symbol), el('td', null, p.side), el('td', null, Number(Number(p.sizePct).toFixed(2))),
        el('td', null, p.entryPrice ?? 'unknown'), el('td', null, p.openedAt ? time(p.openedAt) : '—'));
      return row;
    }));
    $('positions-empty').hidden = open.length > 0;
  }

  // GET /notifications?status=failed: deliveries that gave up, by destination name (never its address), with a retry.
  function renderNotifications(notifications) {
    const failedOnes = Array.isArray(notifications) ? notifications : [];
    $('notifications').replaceChildren(...failedOnes.map((n) => {
      const item = el('li');
      item.dataset.notificationId = n.id;
      const retry = el('button', 'link', 'Retry');
      retry.type = 'button';
      retry.addEventListener('click', async () => {
        try {
          await api(`notifications/${encodeURIComponent(n.id)}/retry`, { method: 'POST' });
          renderNotifications(await api('notifications?status=failed&limit=20'));
        } catch (error) {
          failed(error);
        }
      });
      item.append(
        el('span', null, `${n.destination} · ${n.type} · ${n.attempts} attempts`),
        el('span', 'state bad', n.lastError || 'failed'),
        retry);
      return item;
    }));
    $('notifications-empty').hidden = failedOnes.length > 0;
  }

  // GET /performance: the model's closed trades, and what each veto reason's vetoed entries would have returned.
  function renderPerformance(report) {
    const pct = (value) => `${Number(value).toFixed(2)} %`;
    const parts = [`${report.closedTrades} closed trade${report.closedTrades === 1 ? '' : 's'}`];
    if (report.winRatePct !== null && report.winRatePct !== undefined) parts.push(`win rate ${pct(report.winRatePct)}`);
    parts.push(`total ${pct(report.totalReturnPct)}`);
    if (report.worstTrade) parts.push(`worst trade ${pct(report.worstTrade.returnPct)}`);
    parts.push(`max drawdown ${pct(report.maxDrawdownPct)}`);
    text($('performance-summary'), parts.join(' · '));
    const vetoes = report.vetoes || [];
    $('performance-vetoes').replaceChildren(...vetoes.map((v) => {
      const item = el('li', null, v.text);
      item.dataset.reason = v.reason;
      return item;
    }));
    $('performance-empty').hidden = vetoes.length > 0;
  }

  // ---- halt and resume -----------------------------------------------------------------------------------------

  function confirmRisk(action) {
    state.confirmAction = action;
    const halting = action === 'halt';
    text($('confirm-text'), halting
      ? 'Halt trading? Every new entry is vetoed (KILL_SWITCH) until someone resumes; exits still execute.'
      : 'Resume trading? New entries are decided by the rules again.');
    $('confirm-reason').hidden = !halting;
    $('confirm-reason-label').hidden = !halting;
    $('confirm-reason').value = '';
    text($('confirm-ok'), halting ? 'Halt' : 'Resume');
    $('confirm-dialog').showModal();
  }

  async function onConfirmClosed() {
    const dialog = $('confirm-dialog');
    const action = state.confirmAction;
    state.confirmAction = null;
    if (dialog.returnValue !== 'ok' || !action) {
      return;
    }
    try {
      const body = action === 'halt' ? JSON.stringify({ reason: $('confirm-reason').value.trim() || null }) : undefined;
      renderRisk(await api(`risk/${action}`, { method: 'POST', body }));
      refreshSettingsSoon();
    } catch (error) {
      failed(error);
    }
  }

  document.addEventListener('DOMContentLoaded', boot);
})();
