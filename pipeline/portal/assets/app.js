// xhht portal: drop zone, progress bar and answer without reloading the
// page. Without this script the form still posts the file (progressive
// enhancement). Plain ES5 for old office browsers.
(function () {
  'use strict';

  function $(id) { return document.getElementById(id); }

  function show(msg) { var m = $('upload-msg'); if (m) { m.textContent = msg; } }

  function request(method, url, headers, body, onProgress, done) {
    var x = new XMLHttpRequest();
    x.open(method, url, true);
    for (var h in headers) { if (headers.hasOwnProperty(h)) { x.setRequestHeader(h, headers[h]); } }
    if (onProgress && x.upload) {
      x.upload.onprogress = function (e) { if (e.lengthComputable) { onProgress(e.loaded / e.total); } };
    }
    x.onload = function () { done(x.status, x.responseText); };
    x.onerror = function () { done(0, ''); };
    x.send(body);
  }

  function bind() {
    var form = $('upload-form');
    if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
    var input = $('file'), zone = $('drop'), bar = $('progress'), chosen = null;
    var csrf = form.getAttribute('data-csrf');

    function pick(f) {
      chosen = f;
      $('chosen').textContent = f ? f.name : '';
    }
    input.addEventListener('change', function () { pick(input.files && input.files[0]); });
    zone.addEventListener('dragover', function (e) { e.preventDefault(); zone.className = 'drop over'; });
    zone.addEventListener('dragleave', function () { zone.className = 'drop'; });
    zone.addEventListener('drop', function (e) {
      e.preventDefault();
      zone.className = 'drop';
      if (e.dataTransfer && e.dataTransfer.files.length) { pick(e.dataTransfer.files[0]); }
    });

    function progress(p) { bar.hidden = false; bar.value = Math.round(p * 100); }

    function answer(status, html) {
      form.removeAttribute('aria-busy');
      if (status === 200) {
        $('main').innerHTML = html;
        bind();
        // The commune's name and the answer at the top of the screen.
        var r = $('ket-qua'), m = $('main');
        if (m.scrollIntoView) { m.scrollIntoView(); }
        if (r) { try { r.focus({ preventScroll: true }); } catch (err) { r.focus(); } }
        return;
      }
      bar.hidden = true;
      if (status === 0) { show('Mất kết nối. Vui lòng kiểm tra mạng và nộp lại.'); return; }
      var d = document.createElement('div');
      d.innerHTML = html;
      var a = d.querySelector('.alert');
      show(a ? a.textContent : 'Có lỗi (mã ' + status + '). Vui lòng thử lại.');
    }

    var frag = { 'X-Portal-Fragment': '1', 'X-CSRF-Token': csrf };

    form.addEventListener('submit', function (e) {
      var f = chosen || (input.files && input.files[0]);
      e.preventDefault();
      if (!f) { show('Chưa chọn tệp.'); return; }
      form.setAttribute('aria-busy', 'true');
      show('Đang gửi tệp…');
      progress(0);
      if (form.getAttribute('data-direct') !== '1') {
        var fd = new FormData();
        fd.append('file', f, f.name);
        request('POST', form.getAttribute('action'), frag, fd, function (p) {
          progress(p);
          if (p >= 1) { show('Đang kiểm tra tệp…'); }
        }, answer);
        return;
      }
      // Straight to the bucket: ask where, send, then ask the portal to check.
      request('POST', form.getAttribute('data-target'), { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' },
        JSON.stringify({ name: f.name, size: f.size, type: f.type }), null, function (status, body) {
          if (status !== 200) { answer(status, body); return; }
          var t = JSON.parse(body);
          request(t.Method, t.URL, t.Header || {}, f, progress, function (st) {
            if (st < 200 || st > 299) { answer(st || 0, ''); return; }
            show('Đang kiểm tra tệp…');
            var q = 'key=' + encodeURIComponent(t.Key) + '&name=' + encodeURIComponent(f.name);
            var h = { 'X-Portal-Fragment': '1', 'X-CSRF-Token': csrf, 'Content-Type': 'application/x-www-form-urlencoded' };
            request('POST', form.getAttribute('data-check'), h, q, null, answer);
          });
        });
    });
  }

  // Review comments (province pages): the browser's maxlength cuts a
  // pasted text silently, so with this script the limit is checked on
  // submit instead: an over-long comment is refused with a message beside
  // it and the text stays in the box. The server counts characters
  // (code points), as here; without the script maxlength still applies.
  function runes(s) { return s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length; }

  function bindComments() {
    var boxes = document.querySelectorAll('textarea[name=comment][maxlength], input[name=comment][maxlength]');
    for (var i = 0; i < boxes.length; i++) {
      (function (box) {
        var max = parseInt(box.getAttribute('maxlength'), 10);
        if (!max || !box.form) { return; }
        box.removeAttribute('maxlength');
        box.setAttribute('data-max', String(max));
        var msg = document.createElement('span'); // a label may hold the box: no <p> inside it
        msg.className = 'alert bad comment-too-long';
        msg.setAttribute('role', 'alert');
        msg.hidden = true;
        box.parentNode.insertBefore(msg, box.nextSibling);
        box.form.addEventListener('submit', function (e) {
          var n = runes(box.value);
          if (n <= max) { msg.hidden = true; return; }
          e.preventDefault();
          msg.textContent = 'Ý kiến dài ' + n + ' ký tự, tối đa ' + max + ' ký tự: hãy rút gọn rồi gửi lại (nội dung vẫn còn trong ô).';
          msg.hidden = false;
          box.focus();
        });
      }(boxes[i]));
    }
  }

  function start() { bind(); bindComments(); }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
