// Live scanning of product codes on the phone: where the browser has the BarcodeDetector API and a camera, a
// button opens the camera and each code it sees (QR, DataMatrix with a GS1 serial, EAN-13, Code 128) is added to
// the codes box, to go through the same single-use check as a typed code. Elsewhere the button stays hidden and
// a photo of the code (the camera field) does the same on the server.
(function () {
  'use strict';

  function serial(text) {
    var hri = /\(21\)([^()]+)/.exec(text);
    if (hri) return hri[1];
    var raw = /^(?:\]d2)?01\d{14}21([^\x1d]+)/.exec(text);  // GS1 element string: GTIN (AI 01), then serial (AI 21)
    if (raw) return raw[1];
    if (/^https?:\/\//i.test(text)) return text.replace(/\/+$/, '').split('/').pop().split('=').pop();
    return text;
  }

  function addCode(box, text) {
    var code = serial(text).replace(/\s+/g, '').slice(0, 40);
    var known = box.value.split(/[\s,;]+/).filter(Boolean);
    if (!code || known.indexOf(code) >= 0) return false;
    box.value = known.concat([code]).join('\n');
    box.dispatchEvent(new Event('input', {bubbles: true}));
    return true;
  }

  function start(button, box, panel) {
    var video = panel.querySelector('video'), said = panel.querySelector('[data-scan-status]');
    var detector = new window.BarcodeDetector({formats: ['qr_code', 'data_matrix', 'ean_13', 'code_128']});
    var stream = null, timer = null;
    function stop() {
      if (timer) clearInterval(timer);
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      panel.hidden = true;
      button.focus();
    }
    panel.querySelector('[data-scan-stop]').onclick = stop;
    navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment'}, audio: false}).then(function (s) {
      stream = s;
      video.srcObject = s;
      panel.hidden = false;
      video.play();
      timer = setInterval(function () {
        detector.detect(video).then(function (codes) {
          codes.forEach(function (found) {
            if (addCode(box, found.rawValue)) said.textContent = button.dataset.added + ' ' + serial(found.rawValue);
          });
        }).catch(function () {});
      }, 300);
    }).catch(function () {
      said.textContent = button.dataset.denied;
      panel.hidden = false;
    });
  }

  function ready() {
    var button = document.querySelector('[data-scan-codes]');
    if (!button || !('BarcodeDetector' in window) || !navigator.mediaDevices) return;
    var box = document.getElementById(button.dataset.target), panel = document.getElementById(button.dataset.panel);
    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf('qr_code') < 0 && formats.indexOf('data_matrix') < 0) return;
      button.hidden = false;
      button.addEventListener('click', function () { start(button, box, panel); });
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
}());
