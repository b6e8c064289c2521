// The console's page: polls GET api/overview every 2 s, turns successive counters into rates, and drives the parking
// lots through api/parking-lots/{worker}/... Every call carries the session cookie and, for a change, the CSRF token
// of the XSRF-TOKEN cookie; a service's refusal is shown in its own words. Buttons that need a scope the user lacks
// are not drawn (the worker would refuse the call anyway).
'use strict';

const REFRESH_MS = 2000;
let me = {name: '', scopes: []};
let previous = null;
let signingOut = false;

const $ = (id) => document.getElementById(id);
const can = (scope) => me.scopes.includes(scope);
const fmt = (n, digits = 0) => (n === undefined || n === null || Number.isNaN(n)) ? '–'
  : Number(n).toLocaleString('en', {maximumFractionDigits: digits, minimumFractionDigits: digits});

function csrf() {
  const cookie = document.cookie.split('; ').find((c) => c.startsWith('XSRF-TOKEN='));
  return cookie ? decodeURIComponent(cookie.substring('XSRF-TOKEN='.length)) : '';
}

async function call(method, path) {
  const headers = {'Accept': 'application/json'};
  if (method !== 'GET') headers['X-XSRF-TOKEN'] = csrf();
  const response = await fetch(path, {method, headers, credentials: 'same-origin'});
  if (response.status === 401) {
    // The session ended: sign in again (unless it ended because of Sign out, which goes on to its own page).
    if (!signingOut) location.reload();
    throw new Error('signed out');
  }
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = {detail: text}; }
  if (!response.ok) {
    const error = new Error((body && (body.detail || body.title)) || ('HTTP ' + response.status));
    error.status = response.status;
    throw error;
  }
  return body;
}

function say(text, kind = 'info') {
  const status = $('status');
  status.textContent = text;
  status.className = 'status ' + kind;
}

function cell(row, value, className) {
  const td = document.createElement('td');
  td.textContent = value;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function fill(tableId, rows, render) {
  const body = document.querySelector('#' + tableId + ' tbody');
  body.replaceChildren();
  rows.forEach((item) => {
    const row = document.createElement('tr');
    render(row, item);
    body.appendChild(row);
  });
}

function sourceOrError(id, part) {
  $(id).textContent = part.error ? ('⚠ ' + part.error) : ('from ' + part.source);
  $(id).className = part.error ? 'source error' : 'source';
}

/** Per second between this snapshot and the last, or null on the first (or if they are not in order). */
function rate(now, before, seconds) {
  if (before === undefined || before === null || !(seconds > 0)) return null;
  return Math.max(0, (now - before) / seconds);
}

function render(overview) {
  const seconds = previous ? (Date.parse(overview.at) - Date.parse(previous.at)) / 1000 : 0;
  $('at').textContent = 'at ' + new Date(overview.at).toLocaleTimeString();

  const orders = overview.orders;
  sourceOrError('orders-source', orders);
  $('accepted').textContent = fmt(orders.accepted);
  const acceptedRate = rate(orders.accepted, previous && previous.orders.accepted, seconds);
  $('accepted-rate').textContent = acceptedRate === null ? '' : fmt(acceptedRate, 1) + ' /s';
  const stuck = orders.stuck || {};
  const stuckTotal = Object.values(stuck).reduce((a, b) => a + b, 0);
  $('stuck').textContent = orders.error ? '⚠ ' + orders.error
    : stuckTotal === 0 ? 'none (from order-api: orderly_orders_stuck)'
    : Object.entries(stuck).filter(([, n]) => n > 0).map(([s, n]) => fmt(n) + ' ' + s).join(', ')
      + ', the oldest ' + fmt(orders.stuckOldestAgeSeconds) + ' s (from order-api: orderly_orders_stuck)';
  $('stuck').className = stuckTotal > 0 ? 'alert' : '';
  const list = $('stuck-orders');
  list.replaceChildren();
  (orders.stuckOrders || []).forEach((order) => {
    const li = document.createElement('li');
    li.append(orderLink(order.order_id, 'stuck-order'),
      document.createTextNode(' ' + order.status + ' for ' + fmt(order.age_seconds) + ' s'));
    list.appendChild(li);
  });
  if (orders.stuckOrdersError) {
    const li = document.createElement('li');
    li.className = 'error';
    li.textContent = '⚠ the list: ' + orders.stuckOrdersError;
    list.appendChild(li);
  }

  const order = overview.workers.find((w) => w.worker === 'order') || {};
  const completed = order.completed;
  $('completed').textContent = fmt(completed);
  const completedBefore = previous && (previous.workers.find((w) => w.worker === 'order') || {}).completed;
  const completedRate = rate(completed, completedBefore, seconds);
  $('completed-rate').textContent = completedRate === null ? '' : fmt(completedRate, 1) + ' /s';

  const slo = overview.slo;
  $('slo-source').textContent = 'from ' + slo.source + ': every event handled within ' + slo.thresholdSeconds
    + ' s, target ' + fmt(slo.target * 100, 0) + ' % for each consumer and event type';
  if (slo.total > 0) {
    const share = slo.within / slo.total;
    $('slo').textContent = fmt(share * 100, 2) + ' %';
    const budget = 1 - slo.target;
    const left = budget > 0 ? 1 - (1 - share) / budget : 0;
    const worst = slo.worst;
    const worstShare = worst ? worst.within / worst.total : 1;
    $('slo-budget').textContent = 'error budget left: ' + fmt(Math.max(left, 0) * 100, 0) + ' % (since the workers started)'
      + (worst ? '; worst: ' + worst.consumer + ' ' + worst.eventType + ' ' + fmt(worstShare * 100, 2) + ' %' : '');
    $('slo-card').className = share < slo.target || worstShare < slo.target ? 'card alert' : 'card';
  } else {
    $('slo').textContent = 'no events yet';
    $('slo-budget').textContent = '';
  }

  const outboxes = overview.outboxes;
  sourceOrError('outboxes-source', outboxes);
  fill('outboxes', outboxes.tables || [], (row, table) => {
    const before = previous && (previous.outboxes.tables || []).find((t) => t.table === table.table);
    const published = rate(table.published, before && before.published, seconds);
    cell(row, table.table);
    cell(row, fmt(table.backlog), table.backlog > 0 ? 'warn' : '');
    cell(row, fmt(table.oldestAgeSeconds, 1), table.oldestAgeSeconds > 30 ? 'alert' : '');
    cell(row, published === null ? '' : fmt(published, 1));
    cell(row, table.leader ? 'yes' : 'no (standby)');
    cell(row, table.failing ? 'FAILING' : 'no', table.failing ? 'alert' : '');
  });
  $('relay-state').textContent = outboxes.error ? '' : 'Relay: breaker ' + outboxes.breaker
    + (outboxes.blocked ? ', BLOCKED by the broker (resource alarm)' : ', not blocked')
    + (outboxes.routesMissing > 0 ? ', ' + fmt(outboxes.routesMissing) + ' routes missing' : '');

  const queues = overview.queues;
  sourceOrError('queues-source', queues);
  fill('queues', (queues.queues || []).filter((q) => !q.name.includes('.retry.')), (row, queue) => {
    row.dataset.queue = queue.name;
    cell(row, queue.name);
    cell(row, fmt(queue.ready), queue.ready > 0 ? 'warn' : '');
    cell(row, fmt(queue.unacked));
    cell(row, fmt(queue.consumers), queue.consumers === 0 && queue.name.endsWith('.work') ? 'alert' : '');
    cell(row, fmt(queue.ackRate, 1));
    // The work waiting, in seconds at the pace its consumers acknowledged over the last minute (what alert
    // WorkQueueBacklog judges over five): past the SLO's threshold, every event in it is handled late.
    // Only a work queue has a pace to keep: a parking lot or orders.unrouted waits for a person by design.
    if (queue.name.endsWith('.work')) {
      const backlog = queue.ready === 0 ? 0 : queue.ackRateMinute > 0 ? queue.ready / queue.ackRateMinute : Infinity;
      cell(row, backlog === Infinity ? '∞' : fmt(backlog, 0) + ' s',
        backlog > overview.slo.thresholdSeconds ? 'alert' : '');
    } else {
      cell(row, '');
    }
  });

  let parkedTotal = 0;
  let parkedRate = 0;
  fill('workers', overview.workers, (row, worker) => {
    const before = previous && previous.workers.find((w) => w.worker === worker.worker);
    const m = worker.messages || {};
    const b = (before && before.messages) || {};
    const processed = rate(m.processed, b.processed, seconds);
    const retried = rate(m.retried, b.retried, seconds);
    const parked = rate(m.parked, b.parked, seconds);
    parkedTotal += worker.parked || 0;
    parkedRate += parked || 0;
    row.dataset.worker = worker.worker;
    cell(row, worker.worker + '-worker');
    cell(row, processed === null ? '' : fmt(processed, 1));
    cell(row, retried === null ? '' : fmt(retried * 60, 1));
    cell(row, parked === null ? '' : fmt(parked * 60, 1), parked > 0 ? 'alert' : '');
    cell(row, worker.error || worker.parkedError ? '–' : fmt(worker.parked), worker.parked > 0 ? 'warn' : '');
    cell(row, worker.error ? '⚠ ' + worker.error : worker.parkedError ? '⚠ ' + worker.parkedError : worker.source,
      worker.error || worker.parkedError ? 'source error' : 'source');
  });
  $('parked-total').textContent = fmt(parkedTotal);
  $('parked-rate').textContent = previous ? fmt(parkedRate * 60, 1) + ' parked /min' : '';
  renderLots(overview.workers);
  previous = overview;
}

// ---- parking lots

let lotsKey = '';

function renderLots(workers) {
  const key = JSON.stringify(workers.map((w) => [w.worker, w.groups, w.parkedError, w.error]));
  if (key === lotsKey) return; // unchanged: keep what the user is looking at
  lotsKey = key;
  const lots = $('lots');
  lots.replaceChildren();
  workers.forEach((worker) => {
    const div = document.createElement('div');
    div.className = 'lot';
    div.id = 'lot-' + worker.worker;
    const title = document.createElement('h3');
    title.textContent = worker.worker + '.parking-lot';
    div.appendChild(title);
    if (worker.error || worker.parkedError) {
      const p = document.createElement('p');
      p.className = 'source error';
      p.textContent = '⚠ ' + (worker.error || worker.parkedError);
      div.appendChild(p);
    } else if (!worker.groups || worker.groups.length === 0) {
      const p = document.createElement('p');
      p.className = 'empty';
      p.textContent = 'empty';
      div.appendChild(p);
    } else {
      const table = document.createElement('table');
      table.className = 'groups';
      table.innerHTML = '<thead><tr><th>reason</th><th>event type</th><th>count</th><th>oldest</th><th>newest</th><th></th></tr></thead>';
      const body = document.createElement('tbody');
      worker.groups.forEach((group) => {
        const row = document.createElement('tr');
        row.className = 'group';
        row.dataset.reason = group.reason;
        row.dataset.eventType = group.eventType || '';
        cell(row, group.reason);
        cell(row, group.eventType || '–');
        cell(row, fmt(group.count));
        cell(row, new Date(group.oldest).toLocaleString());
        cell(row, new Date(group.newest).toLocaleString());
        const actions = cell(row, '');
        actions.appendChild(button('Messages', () => listGroup(worker.worker, group, div)));
        if (!group.eventType) {
          // No event type to select by: a group action would take every message of this reason. One by one.
          actions.appendChild(document.createTextNode(' (no event type: replay or purge each message)'));
        } else if (can('parkinglot:replay')) {
          actions.appendChild(button('Replay group', () => replay(worker.worker, {reason: group.reason, eventType: group.eventType})));
        }
        if (group.eventType && can('parkinglot:purge')) {
          actions.appendChild(button('Purge group…', () => confirmPurge(worker.worker,
            {reason: group.reason, eventType: group.eventType}, fmt(group.count) + ' message(s): ' + group.reason + ', ' + (group.eventType || '–')), 'danger'));
        }
        body.appendChild(row);
      });
      table.appendChild(body);
      div.appendChild(table);
      if (can('parkinglot:replay')) {
        // Every parked message of this worker, whatever its reason, through the same rate-limited replay.
        const total = worker.groups.reduce((sum, group) => sum + group.count, 0);
        div.appendChild(button('Replay all ' + fmt(total), () => replay(worker.worker, {all: true}), 'replay-all'));
      }
    }
    lots.appendChild(div);
  });
}

function button(text, onClick, className) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (className) b.className = className;
  b.addEventListener('click', onClick);
  return b;
}

function query(selection) {
  return Object.entries(selection).filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&');
}

async function listGroup(worker, group, div) {
  try {
    const page = await call('GET', 'api/parking-lots/' + worker + '/messages?size=50&' + query({reason: group.reason, eventType: group.eventType}));
    let list = div.querySelector('table.messages');
    if (!list) {
      list = document.createElement('table');
      list.className = 'messages';
      div.appendChild(list);
    }
    list.innerHTML = '<thead><tr><th>id</th><th>message id</th><th>attempts</th><th>parked at</th><th>exception</th></tr></thead>';
    const body = document.createElement('tbody');
    page.messages.forEach((m) => {
      const row = document.createElement('tr');
      row.className = 'parked-message';
      row.dataset.id = m.id;
      const id = cell(row, '');
      id.appendChild(button(String(m.id), () => show(worker, m.id)));
      cell(row, m.messageId || '–');
      cell(row, m.attempts === null ? '–' : m.attempts);
      cell(row, new Date(m.parkedAt).toLocaleString());
      cell(row, m.exception || '');
      body.appendChild(row);
    });
    list.appendChild(body);
  } catch (e) {
    say(e.message, 'error');
  }
}

async function show(worker, id) {
  try {
    const detail = await call('GET', 'api/parking-lots/' + worker + '/messages/' + id);
    const s = detail.summary;
    $('message').hidden = false;
    $('message').dataset.worker = worker;
    $('message').dataset.id = id;
    $('message-id').textContent = id + ' in ' + worker + '.parking-lot';
    const dl = $('message-summary');
    dl.replaceChildren();
    [['reason', s.reason], ['event type', s.eventType], ['message id', s.messageId], ['attempts', s.attempts],
      ['original routing key', s.originalRoutingKey], ['parked at', s.parkedAt], ['exception', s.exception]]
      .forEach(([k, v]) => {
        const dt = document.createElement('dt'); dt.textContent = k;
        const dd = document.createElement('dd'); dd.textContent = v === null || v === undefined ? '–' : v;
        dl.append(dt, dd);
      });
    $('message-headers').textContent = JSON.stringify(detail.headers, null, 2);
    let body = detail.body;
    if (detail.bodyEncoding === 'utf-8') {
      try { body = JSON.stringify(JSON.parse(body), null, 2); } catch (e) { /* as it is */ }
    }
    $('message-body').textContent = body + (detail.bodyEncoding === 'base64' ? '\n(base64)' : '');
    document.querySelectorAll('.operator-only').forEach((el) => { el.hidden = !can('parkinglot:replay') && !can('parkinglot:purge'); });
    $('message-replay').hidden = !can('parkinglot:replay');
    $('message-purge').hidden = !can('parkinglot:purge');
  } catch (e) {
    say(e.message, 'error');
  }
}

async function replay(worker, selection) {
  try {
    const result = await call('POST', 'api/parking-lots/' + worker + '/replay?' + query(selection));
    say('Replayed ' + result.replayed + ' message(s) from ' + worker + '.parking-lot (' + result.remaining + ' left)', 'ok');
  } catch (e) {
    say('Replay refused: ' + e.message, 'error');
  }
  await refreshLots();
}

function confirmPurge(worker, selection, what) {
  const name = worker + '.parking-lot';
  $('confirm').hidden = false;
  $('confirm-what').textContent = 'Purge ' + what + ' from ' + name + '. They are deleted for good.';
  $('confirm-name').textContent = name;
  $('confirm-input').value = '';
  $('confirm-purge').disabled = true;
  $('confirm-input').oninput = () => { $('confirm-purge').disabled = $('confirm-input').value !== name; };
  $('confirm-purge').onclick = async () => {
    const typed = $('confirm-input').value;
    $('confirm').hidden = true;
    try {
      const result = await call('DELETE', 'api/parking-lots/' + worker + '?' + query(Object.assign({confirm: typed}, selection)));
      say('Purged ' + result.purged + ' message(s) from ' + name, 'ok');
      $('message').hidden = true;
    } catch (e) {
      say('Purge refused: ' + e.message, 'error');
    }
    await refreshLots();
  };
  $('confirm-input').focus();
}

async function refreshLots() {
  lotsKey = '';
  await refresh();
  await audit();
}

async function audit() {
  const rows = [];
  for (const worker of (previous ? previous.workers : []).map((w) => w.worker)) {
    try {
      const trail = await call('GET', 'api/parking-lots/' + worker + '/audit');
      trail.audit.forEach((entry) => rows.push(Object.assign({worker}, entry)));
    } catch (e) { /* the worker's row on the overview says why */ }
  }
  rows.sort((a, b) => String(b.at).localeCompare(String(a.at)));
  fill('audit', rows.slice(0, 50), (row, entry) => {
    cell(row, new Date(entry.at).toLocaleString());
    cell(row, entry.worker);
    cell(row, entry.actor);
    cell(row, entry.action + (entry.outcome && entry.outcome !== 'COMPLETE' ? ' (' + entry.outcome + ')' : ''));
    cell(row, entry.selection);
    cell(row, entry.affected);
  });
}

// ---- orders

/** A link that shows the order's timeline below. */
function orderLink(orderId, className) {
  const link = document.createElement('a');
  link.href = '#orders';
  link.className = className;
  link.textContent = orderId;
  link.addEventListener('click', () => { $('order-id').value = orderId; lookUp(); });
  return link;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An order id shows that order; anything else is a customer id, whose latest orders are listed, each a link. */
async function lookUp(event) {
  if (event) event.preventDefault();
  const id = $('order-id').value.trim();
  const out = $('order');
  out.replaceChildren();
  if (id === '') return;
  if (!UUID.test(id)) {
    await customerOrders(id, out);
    return;
  }
  try {
    const order = await call('GET', 'api/orders/' + encodeURIComponent(id));
    const head = document.createElement('p');
    head.id = 'order-status';
    head.textContent = order.order_id + ': ' + order.status + ' (customer ' + order.customer_id + ')';
    out.appendChild(head);
    const timeline = document.createElement('ol');
    timeline.className = 'timeline';
    const start = Date.parse(order.created_at);
    (order.timeline || []).forEach((entry) => {
      const li = document.createElement('li');
      li.className = 'stage' + (entry.retries > 0 || entry.replayed ? ' retried' : '');
      li.textContent = entry.status + ' +' + fmt((Date.parse(entry.occurred_at) - start) / 1000, 3) + ' s ('
        + entry.event_type + ')' + (entry.detail ? ': ' + entry.detail : '');
      // What the stage took besides first deliveries (GET /orders/{id}: retries, replayed).
      if (entry.retries > 0 || entry.replayed) {
        const took = document.createElement('span');
        took.className = 'retries';
        took.textContent = [
          entry.retries > 0 ? '↻ ' + entry.retries + (entry.retries === 1 ? ' retry' : ' retries') : null,
          entry.replayed ? 'replayed from a parking lot' : null,
        ].filter((part) => part !== null).join(', ');
        li.append(' ', took);
      }
      timeline.appendChild(li);
    });
    out.appendChild(timeline);
  } catch (e) {
    if (e.status === 404) {
      // No such order: perhaps a customer whose id is a UUID (an identity provider's subject often is).
      await customerOrders(id, out);
      return;
    }
    const p = document.createElement('p');
    p.className = 'error';
    p.textContent = e.message;
    out.appendChild(p);
  }
}

async function customerOrders(customer, out) {
  try {
    const listing = await call('GET', 'api/orders?customer=' + encodeURIComponent(customer));
    const head = document.createElement('p');
    head.id = 'customer-orders-head';
    head.textContent = listing.orders.length === 0 ? 'No order ' + customer + ', and no orders of a customer ' + customer
      : 'The latest ' + listing.orders.length + ' orders of customer ' + listing.customer_id + ', newest first:';
    out.appendChild(head);
    const list = document.createElement('ul');
    list.id = 'customer-orders';
    listing.orders.forEach((order) => {
      const li = document.createElement('li');
      li.append(orderLink(order.order_id, 'customer-order'), document.createTextNode(' ' + order.status + ', '
        + fmt(order.total_cents / 100, 2) + ' ' + order.currency + ', ' + new Date(order.created_at).toLocaleString()));
      list.appendChild(li);
    });
    out.appendChild(list);
  } catch (e) {
    const p = document.createElement('p');
    p.className = 'error';
    p.textContent = e.message;
    out.appendChild(p);
  }
}

// ---- start

async function signOut(event) {
  event.preventDefault();
  signingOut = true; // a poll answered 401 from now on must not sign straight back in

  // The CSRF token goes in the header, as for every change; then on to the authorization server's own sign-out.
  await fetch('logout', {method: 'POST', headers: {'X-XSRF-TOKEN': csrf()}, credentials: 'same-origin', redirect: 'manual'});
  location.href = 'signed-out';
}

/** Polls one snapshot after the other: a slow answer delays the next one rather than overtaking it. */
async function poll() {
  if (signingOut) return;
  await refresh();
  setTimeout(poll, REFRESH_MS);
}

async function refresh() {
  try {
    render(await call('GET', 'api/overview'));
  } catch (e) {
    say('The console could not refresh: ' + e.message, 'error');
  }
}

async function start() {
  me = await call('GET', 'api/me');
  $('user').textContent = me.name;
  const operator = can('parkinglot:replay') || can('parkinglot:purge');
  $('role').textContent = operator ? 'operator' : 'read-only';
  $('logout').addEventListener('submit', signOut);
  $('message-close').addEventListener('click', () => { $('message').hidden = true; });
  $('confirm-cancel').addEventListener('click', () => { $('confirm').hidden = true; });
  $('message-replay').addEventListener('click', () => replay($('message').dataset.worker, {id: $('message').dataset.id}));
  $('message-purge').addEventListener('click', () => confirmPurge($('message').dataset.worker,
    {id: $('message').dataset.id}, 'message ' + $('message').dataset.id));
  $('order-form').addEventListener('submit', lookUp);
  await refresh(); // the first snapshot names the workers whose audits follow
  await audit();
  setTimeout(poll, REFRESH_MS);
  setInterval(audit, REFRESH_MS * 5);
}

start().catch((e) => say('The console could not start: ' + e.message, 'error'));
