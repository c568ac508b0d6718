/* The editors' page: send the pasted text or the chosen file to POST v1/check?view=true and show
   the answer. The result is the HTML report's section for the article, rendered by the service
   with the report's own code (provenance.report.html_format); report.js (the report's passage
   script) adds the partner highlighting. Nothing here marks passages itself. */
(function () {
  'use strict';
  var TOKEN_KEY = 'provenance.token';
  var $ = function (id) { return document.getElementById(id); };
  var form = $('check-form'), textArea = $('text'), fileInput = $('file'), drop = $('drop');
  var chosenBox = $('chosen'), chosenName = $('chosen-name'), clearFile = $('clear-file');
  var submit = $('submit'), status = $('status'), problem = $('problem');
  var result = $('result'), heading = $('result-heading'), outcome = $('outcome'), view = $('view');
  var token = $('token'), tokenBox = $('token-box');
  var chosen = null, busy = false;

  // -- the token: this tab only --------------------------------------------------------------------
  function storage() { try { return window.sessionStorage; } catch (e) { return null; } }
  var kept = storage() && storage().getItem(TOKEN_KEY);
  if (kept) { token.value = kept; }
  token.addEventListener('input', function () {
    var store = storage();
    if (!store) return;
    if (token.value) store.setItem(TOKEN_KEY, token.value); else store.removeItem(TOKEN_KEY);
  });

  // -- the text's language, for fonts and line breaking (CJK or not) ----------------------------------
  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/;
  function language(text) {
    var letters = 0, cjk = 0, sample = text.slice(0, 4000);
    for (var i = 0; i < sample.length; i++) {
      var ch = sample.charAt(i);
      if (CJK.test(ch)) { cjk++; letters++; } else if (ch.toLowerCase() !== ch.toUpperCase()) { letters++; }
    }
    return letters && cjk / letters > 0.3 ? 'zh' : '';
  }
  function setLanguage() {
    var lang = language(textArea.value);
    if (lang) textArea.setAttribute('lang', lang); else textArea.removeAttribute('lang');
  }
  textArea.addEventListener('input', setLanguage);
  setLanguage();

  // -- the file: chosen with the picker or dropped ---------------------------------------------------
  function size(bytes) {
    return bytes < 1024 ? bytes + ' bytes' : bytes < 1048576 ? (bytes / 1024).toFixed(1) + ' KB'
      : (bytes / 1048576).toFixed(1) + ' MB';
  }
  function choose(file) {
    chosen = file || null;
    chosenBox.hidden = !chosen;
    chosenName.textContent = chosen ? chosen.name + ' (' + size(chosen.size) + ')' : '';
    if (chosen) say('File chosen: ' + chosen.name + '. It is checked instead of the pasted text.');
  }
  drop.addEventListener('click', function () { fileInput.click(); });  // a button: Enter and Space click it
  fileInput.addEventListener('change', function () { choose(fileInput.files[0]); });
  clearFile.addEventListener('click', function () {
    fileInput.value = ''; choose(null); say('The file is removed: the pasted text is checked.'); drop.focus();
  });
  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, 'Files') >= 0;
  }
  // A file dropped anywhere on the form is the article; one dropped elsewhere does not open in the tab.
  ['dragenter', 'dragover'].forEach(function (name) {
    form.addEventListener(name, function (event) {
      if (!hasFiles(event)) return;
      event.preventDefault(); event.dataTransfer.dropEffect = 'copy'; drop.classList.add('over');
    });
  });
  form.addEventListener('dragleave', function (event) {
    if (!form.contains(event.relatedTarget)) drop.classList.remove('over');
  });
  form.addEventListener('drop', function (event) {
    if (!hasFiles(event)) return;
    event.preventDefault(); drop.classList.remove('over');
    var files = event.dataTransfer.files;
    if (files.length > 1) { fail('Drop one file at a time: one article is checked at a time.'); return; }
    if (files.length) { clearProblem(); choose(files[0]); }
  });
  window.addEventListener('dragover', function (event) { if (hasFiles(event)) event.preventDefault(); });
  window.addEventListener('drop', function (event) { if (hasFiles(event)) event.preventDefault(); });

  // -- messages ------------------------------------------------------------------------------------
  function say(text) { status.textContent = text; }
  function clearProblem() { problem.hidden = true; problem.textContent = ''; }
  function fail(text, title) {
    problem.textContent = '';
    if (title) {
      var b = document.createElement('b');
      b.textContent = title;
      problem.appendChild(b);
      problem.appendChild(document.createTextNode(': '));
    }
    problem.appendChild(document.createTextNode(text));
    problem.hidden = false;
    say('');
  }
  // The API's errors are {"error": "payload too large", "detail": "…"}; detail may be a list of
  // validation problems or {"message": …}.
  function detailText(detail) {
    if (detail == null) return '';
    if (typeof detail === 'string') return detail;
    if (Array.isArray(detail)) {
      return detail.map(function (d) { return d && d.msg ? d.msg : JSON.stringify(d); }).join('; ');
    }
    if (detail.message) return detail.message;
    return JSON.stringify(detail);
  }
  var ADVICE = {
    401: 'This service asks for a token: enter it under “Access token” and check again.',
    408: 'The check took longer than the service allows (--timeout). Try again, or a shorter text.',
    413: 'The text or file is larger than the service accepts (--max-body).',
    503: 'The service cannot read its index just now.'
  };
  function apiProblem(response, data, raw) {
    var title = 'HTTP ' + response.status + ' ' + ((data && data.error) || response.statusText || 'error');
    var text = data && 'detail' in data ? detailText(data.detail) : (raw || '').slice(0, 300);
    if (ADVICE[response.status]) text = (text ? text + '. ' : '') + ADVICE[response.status];
    if (response.status === 401) { tokenBox.open = true; }
    return {title: title, text: text, status: response.status};
  }

  // -- checking --------------------------------------------------------------------------------------
  var SEVERITY = {
    error: 'Needs action (severity: error) · 需处理',
    info: 'For information (severity: info) · 供参考',
    none: 'No issue (severity: none) · 无问题'
  };
  function request() {
    var headers = {}, body;
    if (token.value.trim()) headers.Authorization = 'Bearer ' + token.value.trim();
    if (chosen) {
      body = new FormData();
      body.append('file', chosen, chosen.name);
    } else {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify({text: textArea.value});
    }
    return fetch('v1/check?view=true', {method: 'POST', headers: headers, body: body, credentials: 'same-origin'});
  }
  function show(data) {
    view.innerHTML = data.view;  // the service's HTML: every text in it is escaped there
    var provenance = window.provenance;
    if (provenance && provenance.bindPassages) provenance.bindPassages(view);
    // The start of each passage can be reached with Tab; Enter or Space shows its partner on the other side.
    view.querySelectorAll('mark.passage.start').forEach(function (mark) {
      mark.tabIndex = 0;
      mark.addEventListener('keydown', function (event) {
        if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); mark.click(); }
      });
    });
    outcome.textContent = '';
    var verdict = document.createElement('b');
    verdict.id = 'verdict';
    verdict.textContent = data.verdict;
    outcome.appendChild(document.createTextNode('Verdict '));
    outcome.appendChild(verdict);
    outcome.appendChild(document.createTextNode(' · ' + (SEVERITY[data.severity] || data.severity) +
      ' · checked against ' + data.index.documents + ' corpus documents'));
    result.dataset.verdict = data.verdict;
    result.hidden = false;
    if (provenance && provenance.recordPassages) provenance.recordPassages(view, result);
    say('Verdict: ' + data.verdict + '. ' + (data.item && data.item.message || ''));
    heading.focus();
  }
  function check() {
    if (busy) return;
    clearProblem();
    if (!chosen && !textArea.value.trim()) {
      fail('Paste an article or choose a file first.', 'Nothing to check');
      textArea.focus();
      return;
    }
    busy = true;
    submit.setAttribute('aria-disabled', 'true');
    result.setAttribute('aria-busy', 'true');
    say('Checking… 检查中…');
    request().then(function (response) {
      return response.text().then(function (raw) {
        var data = null;
        try { data = JSON.parse(raw); } catch (e) { data = null; }
        if (!response.ok) throw apiProblem(response, data, raw);
        if (!data || typeof data.view !== 'string') {
          throw {title: 'Unexpected answer', text: 'the service did not answer a check (is this provenance serve?)'};
        }
        show(data);
      });
    }).catch(function (error) {
      if (error && error.title) fail(error.text, error.title);
      else fail('The service did not answer: ' + (error && error.message || error) + '.', 'No answer');
      if (error && error.status === 401) token.focus();
    }).then(function () {
      busy = false;
      submit.removeAttribute('aria-disabled');
      result.removeAttribute('aria-busy');
    });
  }
  form.addEventListener('submit', function (event) { event.preventDefault(); check(); });
  textArea.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); check(); }
  });

  // -- what the service runs on (healthz is always open) ------------------------------------------------
  fetch('healthz').then(function (r) { return r.ok ? r.json() : null; }).then(function (health) {
    if (!health) return;
    var info = document.createElement('span');
    info.className = 'from';
    info.textContent = ' · index: ' + health.documents + ' documents · provenance ' + health.version;
    $('service-info').appendChild(info);
  }).catch(function () { /* the form works without it */ });
})();
