// fwd status page: renders /events (or polled /status.json) once a second.
// Every value from the document reaches the page through textContent or an
// attribute, never as markup: client ids and errors come from the network.

(() => {
  const token = new URLSearchParams(location.search).get("token");
  const withToken = (path) => (token ? `${path}?token=${encodeURIComponent(token)}` : path);
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const SPARK_W = 300;
  const SPARK_H = 40;
  const KINDS = {
    forward: "forward",
    "user-client": "user tunnel",
    "multi-client": "reverse tunnel",
    "public-port": "public port",
    "user-server": "user server",
  };

  // ---- formatting -------------------------------------------------------

  function bytes(n) {
    const units = ["B", "kB", "MB", "GB", "TB", "PB"];
    let value = Math.max(0, Number(n) || 0);
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
    return `${value.toFixed(digits)} ${units[unit]}`;
  }

  function bits(bps) {
    const units = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"];
    let value = Math.max(0, Number(bps) || 0) * 8;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
  }

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min`;
    const h = Math.floor(m / 60);
    if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
    const d = Math.floor(h / 24);
    return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
  }

  const secondsBetween = (from, to) => (Date.parse(to) - Date.parse(from)) / 1000;
  const ago = (at, now) => `${duration(secondsBetween(at, now))} ago`;

  // ---- DOM helpers ------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setText(node, text) {
    const value = String(text);
    if (node.textContent !== value) node.textContent = value;
  }

  function setAttr(node, name, value) {
    if (node.getAttribute(name) !== value) node.setAttribute(name, value);
  }

  /** A dt/dd pair list: entries [label, value] with value undefined are left out. */
  function fillFacts(dl, entries) {
    const shown = entries.filter(([, value]) => value !== undefined && value !== "");
    const key = JSON.stringify(shown);
    if (dl.dataset.key === key) return;
    dl.dataset.key = key;
    dl.replaceChildren(
      ...shown.map(([label, value]) => {
        const row = el("div");
        row.append(el("dt", "", label), el("dd", "mono", String(value)));
        return row;
      }),
    );
    dl.hidden = shown.length === 0;
  }

  function badge(node, state) {
    setAttr(node, "data-state", state);
    setText(node, state);
  }

  function showError(node, error, now) {
    node.hidden = !error;
    if (!error) return;
    const key = `${error.code}\n${error.message}`;
    if (node.dataset.key !== key) {
      node.dataset.key = key;
      node.replaceChildren(
        el("span", "code", error.code),
        document.createTextNode(" "),
        el("span", "", error.message),
        document.createTextNode(" · "),
        el("span", "ago"),
      );
    }
    setText(node.querySelector(".ago"), error.at ? ago(error.at, now) : "");
  }

  // ---- sparkline --------------------------------------------------------

  function sparkline() {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "spark");
    svg.setAttribute("viewBox", `0 0 ${SPARK_W} ${SPARK_H}`);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    for (const name of ["in-area", "out-area", "in", "out"]) {
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("class", name);
      svg.append(path);
    }
    return svg;
  }

  function drawSparkline(svg, history) {
    const capacity = Math.max(2, history.in.length, history.capacity || 300);
    const step = SPARK_W / Math.max(1, capacity - 1);
    const peak = Math.max(1, ...history.in, ...history.out);
    const line = (values) =>
      values
        .map((v, i) => {
          const x = SPARK_W - (values.length - 1 - i) * step;
          const y = SPARK_H - 1 - (v / peak) * (SPARK_H - 2);
          return `${i === 0 ? "M" : "L"}${x.toFixed(1)} ${y.toFixed(1)}`;
        })
        .join("");
    const area = (values) =>
      values.length < 2
        ? ""
        : `${line(values)}L${SPARK_W} ${SPARK_H}L${(SPARK_W - (values.length - 1) * step).toFixed(1)} ${SPARK_H}Z`;
    const [inArea, outArea, inLine, outLine] = svg.children;
    inArea.setAttribute("d", area(history.in));
    outArea.setAttribute("d", area(history.out));
    inLine.setAttribute("d", history.in.length < 2 ? "" : line(history.in));
    outLine.setAttribute("d", history.out.length < 2 ? "" : line(history.out));
    const span = duration(capacity * (history.intervalSeconds || 1));
    const peakIn = Math.max(0, ...history.in);
    const peakOut = Math.max(0, ...history.out);
    setAttr(
      svg,
      "aria-label",
      `Traffic over the last ${span}: peak in ${bytes(peakIn)}/s, peak out ${bytes(peakOut)}/s`,
    );
  }

  // ---- one tunnel card --------------------------------------------------

  function createCard() {
    const root = el("li");
    const article = el("article", "tunnel");
    const head = el("div", "tunnel-head");
    const refs = {
      root,
      article,
      name: el("h3", "name"),
      badge: el("span", "badge"),
      kind: el("span", "kind muted"),
      since: el("span", "kind muted"),
      detail: el("p", "detail"),
      facts: el("dl", "facts"),
      rateIn: el("span", "rate-in"),
      rateOut: el("span", "rate-out"),
      spark: sparkline(),
      bytesIn: el("dd"),
      bytesOut: el("dd"),
      active: el("dd"),
      total: el("dd"),
      breakdown: el("p", "breakdown muted"),
      error: el("p", "error"),
      details: el("details"),
      summary: el("summary"),
      connections: el("tbody"),
      none: el("p", "muted breakdown", "No open connections."),
    };
    head.append(refs.name, refs.badge, refs.since, refs.kind);
    const rates = el("div", "rates");
    rates.append(refs.rateIn, refs.rateOut);
    const traffic = el("div", "traffic");
    traffic.append(rates, refs.spark);
    const totals = el("dl", "totals");
    for (const [label, dd] of [
      ["In (to target)", refs.bytesIn],
      ["Out (back)", refs.bytesOut],
      ["Open now", refs.active],
      ["Connections", refs.total],
    ]) {
      const cell = el("div");
      cell.append(el("dt", "", label), dd);
      totals.append(cell);
    }
    const table = el("table");
    const header = el("tr");
    for (const [label, numeric] of [
      ["From", false],
      ["To", false],
      ["Open for", true],
      ["In", true],
      ["Out", true],
    ]) {
      const th = el("th", numeric ? "num" : "", label);
      th.scope = "col";
      header.append(th);
    }
    refs.toHeader = header.children[1];
    const thead = el("thead");
    thead.append(header);
    table.append(thead, refs.connections);
    const scroll = el("div", "scroll");
    scroll.append(table);
    refs.details.append(refs.summary, scroll);
    article.append(head, refs.detail, refs.facts, traffic, totals, refs.breakdown, refs.error);
    article.append(refs.details, refs.none);
    root.append(article);
    return refs;
  }

  function updateCard(card, t, now) {
    setAttr(card.article, "data-state", t.state);
    setAttr(card.article, "aria-label", `${t.name}: ${t.state}`);
    setText(card.name, t.name);
    badge(card.badge, t.state);
    setText(card.since, `for ${duration(secondsBetween(t.stateSince, now))} ·`);
    setText(card.kind, KINDS[t.kind] || t.kind);
    setText(card.detail, t.detail || "");
    fillFacts(card.facts, [
      ["listen", t.listen],
      ["target", t.target],
      ["public port", t.kind === "public-port" ? undefined : t.publicPort],
      ["owner", t.owner],
      ["peer", t.peer],
      ["protocol", t.protocol],
      ["waiting registrations", t.waitingRegistrations],
      ["held visitors", t.heldVisitors],
      ["ready links", t.readyLinks],
      ["heartbeat", t.heartbeatRttMs === undefined ? undefined : `${t.heartbeatRttMs} ms`],
    ]);
    const rates = t.rates || { inBps: 0, outBps: 0 };
    setText(card.rateIn, `in ${bytes(rates.inBps)}/s`);
    setText(card.rateOut, `out ${bytes(rates.outBps)}/s`);
    setAttr(card.rateIn, "title", `${bits(rates.inBps)} toward the target`);
    setAttr(card.rateOut, "title", `${bits(rates.outBps)} back from the target`);
    if (t.history) drawSparkline(card.spark, t.history);
    setText(card.bytesIn, bytes(t.bytes.in));
    setText(card.bytesOut, bytes(t.bytes.out));
    setText(card.active, t.connections.active);
    const outcomes = Object.entries(t.connections.total || {}).filter(([, n]) => n > 0);
    const total = outcomes.reduce((sum, [, n]) => sum + n, 0) + t.connections.active;
    setText(card.total, total);
    setText(
      card.breakdown,
      outcomes.length ? `ended: ${outcomes.map(([k, n]) => `${n} ${k}`).join(", ")}` : "",
    );
    card.breakdown.hidden = outcomes.length === 0;
    showError(card.error, t.lastError, now);
    updateConnections(card, t, now);
  }

  function updateConnections(card, t, now) {
    const list = t.active || [];
    card.details.hidden = list.length === 0;
    card.none.hidden = list.length > 0;
    const more = t.connections.active > list.length ? ` (newest ${list.length} shown)` : "";
    setText(
      card.summary,
      `${t.connections.active} open connection${t.connections.active === 1 ? "" : "s"}${more}`,
    );
    if (!card.details.open && card.connections.childElementCount > 0) {
      card.connections.replaceChildren(); // rebuilt when opened
    }
    if (!card.details.open) return;
    // A "To" column only where connections of one tunnel go to different places.
    const showTo = list.some((c) => c.target && c.target !== t.target);
    card.toHeader.hidden = !showTo;
    card.connections.replaceChildren(
      ...list.map((c) => {
        const row = el("tr");
        row.append(el("td", "mono", c.remote));
        if (showTo) row.append(el("td", "mono", c.target || t.target || ""));
        row.append(
          el("td", "num", duration(secondsBetween(c.startedAt, now))),
          el("td", "num", bytes(c.bytes.in)),
          el("td", "num", bytes(c.bytes.out)),
        );
        return row;
      }),
    );
  }

  // ---- the page ---------------------------------------------------------

  const cards = new Map();

  function renderTunnels(doc) {
    const list = $("tunnels");
    const seen = new Set();
    let previous = null;
    for (const t of doc.tunnels) {
      seen.add(t.name);
      let card = cards.get(t.name);
      if (!card) {
        card = createCard();
        card.details.addEventListener("toggle", () => last && render(last));
        cards.set(t.name, card);
      }
      updateCard(card, t, doc.now);
      const want = previous ? previous.nextSibling : list.firstChild;
      if (want !== card.root) list.insertBefore(card.root, want);
      previous = card.root;
    }
    for (const [name, card] of cards) {
      if (!seen.has(name)) {
        card.root.remove();
        cards.delete(name);
      }
    }
    $("tunnels-empty").hidden = doc.tunnels.length > 0;
  }

  function renderLink(doc) {
    const section = $("link");
    const entries = [];
    let state;
    let error;
    if (doc.server) {
      const s = doc.server;
      state = s.state;
      error = s.lastError;
      entries.push(["Server", s.address], ["protocol", s.protocol], ["TLS", s.tls ? "on" : "off"]);
      if (s.heartbeatRttMs !== undefined) entries.push(["heartbeat", `${s.heartbeatRttMs} ms`]);
    } else if (doc.listener) {
      const l = doc.listener;
      entries.push(
        ["Listening on", l.address],
        ["TLS", l.tls ? "on" : "off"],
        ["token", l.token ? "required" : "none"],
        ["handshaking", l.handshaking],
      );
    }
    section.hidden = entries.length === 0;
    if (section.hidden) return;
    if (!section.firstChild) {
      section.append(el("span", "badge"), el("dl", "facts"), el("p", "error"));
    }
    const [badgeNode, facts, errorNode] = section.children;
    badgeNode.hidden = !state;
    if (state) badge(badgeNode, state);
    fillFacts(facts, entries);
    showError(errorNode, error, doc.now);
  }

  function renderRows(tbody, rows) {
    const key = JSON.stringify(rows);
    if (tbody.dataset.key === key) return;
    tbody.dataset.key = key;
    tbody.replaceChildren(
      ...rows.map((cells) => {
        const row = el("tr");
        for (const [text, className] of cells) row.append(el("td", className, text));
        return row;
      }),
    );
  }

  function renderClients(doc) {
    const clients = doc.clients || [];
    $("clients-section").hidden = !doc.clients;
    renderRows(
      $("clients").tBodies[0],
      clients.map((c) => [
        [c.id, "mono"],
        [c.address, "mono"],
        [c.ports.length ? c.ports.join(", ") : "none", "mono"],
        [String(c.waitingRegistrations), "num"],
        [duration(secondsBetween(c.connectedSince, doc.now)), "num"],
      ]),
    );
    const failures = Object.entries(doc.handshakeFailures || {}).filter(([, n]) => n > 0);
    $("failures-section").hidden = failures.length === 0;
    renderRows(
      $("failures").tBodies[0],
      failures.map(([code, n]) => [
        [code, "mono"],
        [String(n), "num"],
      ]),
    );
  }

  let last = null;
  let lastUpdate = 0;

  function render(doc) {
    last = doc;
    lastUpdate = Date.now();
    document.title = `${doc.program} · fwd status`;
    setText($("program"), doc.program);
    setText($("version"), doc.version ? `v${doc.version}` : "");
    setText($("uptime"), `up ${duration(doc.uptimeSeconds || 0)}`);
    setText($("pid"), doc.pid ? ` · pid ${doc.pid}` : "");
    renderLink(doc);
    renderTunnels(doc);
    renderClients(doc);
    $("main").classList.remove("stale");
  }

  // ---- updates: server-sent events, polling as the fallback ---------------

  function health(text, bad) {
    const node = $("connection");
    setText(node, text);
    setAttr(node, "data-health", bad ? "bad" : "ok");
  }

  function receive(json) {
    try {
      render(JSON.parse(json));
      health("live", false);
    } catch (err) {
      health(`cannot show this update: ${err.message}`, true);
    }
  }

  let polling = false;
  function poll() {
    if (polling) return;
    polling = true;
    const once = async () => {
      try {
        const response = await fetch(withToken("status.json"), { cache: "no-store" });
        if (!response.ok) {
          health((await response.text()).trim() || `HTTP ${response.status}`, true);
        } else {
          receive(await response.text());
          health("live (polling)", false);
        }
      } catch {
        health("fwd is not reachable; retrying", true);
      }
      setTimeout(once, 1000);
    };
    once();
  }

  function listen() {
    if (typeof EventSource !== "function") return poll();
    const source = new EventSource(withToken("events"));
    let received = false;
    source.onmessage = (event) => {
      received = true;
      receive(event.data);
    };
    source.onerror = () => {
      // Never worked (a proxy that buffers, a refusal): poll instead.
      if (!received || source.readyState === EventSource.CLOSED) {
        source.close();
        poll();
      } else {
        health("connection lost; reconnecting", true);
      }
    };
  }

  // Marks the page stale when updates stop, whichever way they come.
  setInterval(() => {
    if (!last) return;
    const silent = (Date.now() - lastUpdate) / 1000;
    if (silent >= 3) {
      $("main").classList.add("stale");
      health(`no update for ${duration(silent)}; showing the last known state`, true);
    }
  }, 1000);

  listen();
})();
