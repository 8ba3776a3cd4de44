// Upload that respects a phone: pages from the camera and from the gallery (photos or PDFs) are collected in
// order (a long receipt in several photos is one claim), each photo is checked for being clearly too dark or
// blurred, photos over 12 MP or 4 MB are shrunk (the EXIF orientation applied to the pixels), and the form is
// sent with a progress bar (a form with data-keep-exif sends photos as taken, up to its data-max-bytes: a
// display photo's EXIF is evidence). The server checks everything again; this only spares a slow upload of a bad photo.
// Without this script the form posts as usual. Words come from the form's data-text-* attributes.
(function () {
  'use strict';

  var MAX_PIXELS = 12e6;          // the reader prepares at most ~10 MP: more is only bytes on a slow link
  var MAX_BYTES = 4 * 1024 * 1024;
  var JPEG_QUALITY = 0.88;
  var CHECK_SIDE = 1600;          // the checks look at a copy this large (long side)
  var DARK_PAPER = 50;            // 90th percentile grey below this: too dark (the server's own threshold)
  var BLURRY = 0.12;              // steepest edges over contrast below this: clearly out of focus
  var PHOTO_TYPES = /^image\/(jpeg|png|webp)$/;

  function text(form, name) { return form.getAttribute('data-text-' + name) || ''; }

  function megabytes(bytes) {
    var comma = document.documentElement.lang === 'pl';
    if (bytes < 1048576) return Math.max(1, Math.round(bytes / 1024)) + ' kB';
    return (bytes / 1048576).toFixed(1).replace('.', comma ? ',' : '.') + ' MB';
  }

  // ---- decoding, checking and shrinking one photo ----------------------------------------------------------

  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: 'from-image' }).catch(function () { return decodeWithImg(file); });
    }
    return decodeWithImg(file);
  }

  function decodeWithImg(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { resolve(img); };  // an <img> applies the EXIF orientation itself
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error('undecodable')); };
      img.src = url;
    });
  }

  function size(image) { return { w: image.naturalWidth || image.width, h: image.naturalHeight || image.height }; }

  function draw(image, width, height) {
    var canvas = document.createElement('canvas');
    canvas.width = width; canvas.height = height;
    var context = canvas.getContext('2d', { willReadFrequently: true });
    context.imageSmoothingQuality = 'high';
    context.drawImage(image, 0, 0, width, height);
    return { canvas: canvas, context: context };
  }

  function percentile(histogram, total, share) {
    var wanted = total * share, seen = 0;
    for (var value = 0; value < histogram.length; value++) {
      seen += histogram[value];
      if (seen >= wanted) return value;
    }
    return histogram.length - 1;
  }

  // The same measures as bench/participant_live.py documents: paper brightness (90th percentile grey) and
  // sharpness (99.7th percentile of the steepest neighbour step over the 5-95 percentile contrast).
  function measure(image) {
    var s = size(image), factor = Math.min(1, CHECK_SIDE / Math.max(s.w, s.h));
    var w = Math.max(1, Math.round(s.w * factor)), h = Math.max(1, Math.round(s.h * factor));
    var pixels = draw(image, w, h).context.getImageData(0, 0, w, h).data;
    var gray = new Uint8Array(w * h), greys = new Uint32Array(256), steps = new Uint32Array(256);
    for (var i = 0, p = 0; i < gray.length; i++, p += 4) {
      gray[i] = (pixels[p] * 299 + pixels[p + 1] * 587 + pixels[p + 2] * 114) / 1000;
      greys[gray[i]]++;
    }
    for (var y = 0; y < h - 1; y++) {
      for (var x = 0; x < w - 1; x++) {
        var at = y * w + x, here = gray[at];
        steps[Math.max(Math.abs(gray[at + 1] - here), Math.abs(gray[at + w] - here))]++;
      }
    }
    var contrast = Math.max(1, percentile(greys, gray.length, 0.95) - percentile(greys, gray.length, 0.05));
    return {
      paper: percentile(greys, gray.length, 0.90),
      sharpness: percentile(steps, (w - 1) * (h - 1), 0.997) / contrast
    };
  }

  function shrink(file, image) {
    var s = size(image), pixels = s.w * s.h;
    if (pixels <= MAX_PIXELS && file.size <= MAX_BYTES) return Promise.resolve(file);
    var factor = Math.min(1, Math.sqrt(MAX_PIXELS / pixels));
    var w = Math.round(s.w * factor), h = Math.round(s.h * factor);
    var type = file.type === 'image/png' ? 'image/png' : 'image/jpeg';
    var canvas = draw(image, w, h).canvas;
    return new Promise(function (resolve) {
      canvas.toBlob(function (blob) {
        if (!blob || blob.size >= file.size) { resolve(file); return; }
        var name = file.name.replace(/\.[^.]*$/, '') + (type === 'image/png' ? '.png' : '.jpg');
        resolve(new File([blob], name, { type: type, lastModified: Date.now() }));
      }, type, JPEG_QUALITY);
    });
  }

  function prepare(form, page) {
    if (!PHOTO_TYPES.test(page.original.type)) return Promise.resolve(page);
    return decode(page.original).then(function (image) {
      var m = measure(image);
      page.measures = m;
      if (m.paper < DARK_PAPER) page.warning = text(form, 'dark');
      else if (m.sharpness < BLURRY) page.warning = text(form, 'unsharp');
      // a display photo's EXIF (date, GPS place) is evidence: sent as taken when it fits the form's limit
      var keep = form.hasAttribute('data-keep-exif') &&
        page.original.size <= (parseInt(form.getAttribute('data-max-bytes'), 10) || 0);
      return (keep ? Promise.resolve(page.original) : shrink(page.original, image)).then(function (file) {
        page.file = file;
        if (image.close) image.close();
        return page;
      });
    }).catch(function () { return page; });  // the browser cannot open it (HEIC...): the server will judge
  }

  // ---- the list of pages -------------------------------------------------------------------------------

  function setup(form) {
    var pages = [], confirmed = false;
    var list = form.querySelector('[data-pages]'), errors = form.querySelector('[data-errors]');
    var maxFiles = parseInt(form.getAttribute('data-max-files'), 10) || 10;
    var maxBytes = parseInt(form.getAttribute('data-max-bytes'), 10) || 20 * 1048576;

    function render() {
      list.textContent = '';
      list.hidden = pages.length === 0;
      pages.forEach(function (page, index) { list.appendChild(item(page, index)); });
    }

    function button(label, symbol, action) {
      var b = document.createElement('button');
      b.type = 'button'; b.className = 'small'; b.textContent = symbol;
      b.setAttribute('aria-label', label); b.title = label;
      b.addEventListener('click', action);
      return b;
    }

    function item(page, index) {
      var li = document.createElement('li');
      li.className = 'page-item' + (page.warning ? ' has-warning' : '');
      li.setAttribute('data-bytes-before', page.original.size);
      li.setAttribute('data-bytes-after', page.file.size);
      if (page.done) li.setAttribute('data-ready', '');  // checked and, if need be, shrunk
      if (page.thumb) {
        var img = document.createElement('img');
        img.src = page.thumb; img.alt = ''; img.className = 'page-thumb';
        li.appendChild(img);
      }
      var label = document.createElement('span');
      label.className = 'page-name';
      var shrunk = page.file !== page.original ? ' — ' + text(form, 'shrunk') + ' ' + megabytes(page.original.size) + ' → ' + megabytes(page.file.size) : ' (' + megabytes(page.file.size) + ')';
      label.textContent = text(form, 'page') + ' ' + (index + 1) + ': ' + page.original.name + shrunk;
      li.appendChild(label);
      if (page.warning) {
        var warn = document.createElement('span');
        warn.className = 'page-warning'; warn.textContent = page.warning;
        li.appendChild(warn);
      }
      var tools = document.createElement('span');
      tools.className = 'page-tools';
      if (index > 0) tools.appendChild(button(text(form, 'up') + ' ' + (index + 1), '↑', function () { move(index, -1); }));
      if (index < pages.length - 1) tools.appendChild(button(text(form, 'down') + ' ' + (index + 1), '↓', function () { move(index, 1); }));
      tools.appendChild(button(text(form, 'remove') + ' ' + (index + 1), '✕', function () { remove(index); }));
      li.appendChild(tools);
      return li;
    }

    function move(index, by) {
      var page = pages.splice(index, 1)[0];
      pages.splice(index + by, 0, page);
      render();
    }

    function remove(index) {
      var page = pages.splice(index, 1)[0];
      if (page.thumb) URL.revokeObjectURL(page.thumb);
      confirmed = false;
      render();
    }

    function add(files) {
      errors.textContent = '';
      files.forEach(function (file) {
        if (pages.length >= maxFiles) { errors.textContent = text(form, 'too-many'); return; }
        var page = { original: file, file: file, warning: '' };
        if (/^image\//.test(file.type)) page.thumb = URL.createObjectURL(file);
        page.ready = prepare(form, page).then(function () { page.done = true; render(); });
        pages.push(page);
      });
      confirmed = false;
      render();
    }

    form.querySelectorAll('[data-pick]').forEach(function (input) {
      input.addEventListener('change', function () {
        add(Array.prototype.slice.call(input.files || []));
        input.value = '';  // the camera can be used again for the next part of a long receipt
      });
    });

    form.addEventListener('submit', function (event) {
      if (pages.length === 0) return;  // product codes, or nothing: the plain form post answers
      event.preventDefault();
      Promise.all(pages.map(function (p) { return p.ready; })).then(function () { send(); });
    });

    function send() {
      var warned = pages.filter(function (p) { return p.warning; });
      var submit = form.querySelector('[data-submit]');
      if (warned.length && !confirmed) {
        confirmed = true;
        errors.textContent = warned.map(function (p) { return p.original.name + ': ' + p.warning; }).join(' ');
        submit.textContent = text(form, 'send-anyway');
        return;
      }
      var tooLarge = pages.filter(function (p) { return p.file.size > maxBytes; });
      if (tooLarge.length) { errors.textContent = tooLarge.map(function (p) { return p.original.name; }).join(', ') + ': ' + megabytes(maxBytes) + ' max'; return; }
      upload(submit);
    }

    function upload(submit) {
      var data = new FormData(form);
      data.delete('files');
      pages.forEach(function (p) { data.append('files', p.file, p.file.name); });
      var box = form.querySelector('[data-progress]'), bar = box.querySelector('progress');
      var said = box.querySelector('[data-progress-text]');
      box.hidden = false; bar.value = 0; submit.disabled = true; errors.textContent = '';
      var request = new XMLHttpRequest();
      request.open('POST', form.action);
      request.setRequestHeader('Accept', 'application/json');
      request.upload.addEventListener('progress', function (e) {
        if (!e.lengthComputable) return;
        bar.value = Math.round(100 * e.loaded / e.total);
        said.textContent = text(form, 'sending') + ' ' + bar.value + '%';
      });
      request.addEventListener('load', function () {
        var body = {};
        try { body = JSON.parse(request.responseText); } catch (e) { body = {}; }
        if (request.status === 202 && body.url) {
          bar.value = 100; said.textContent = text(form, 'sent');
          form.setAttribute('data-sent-bytes', pages.reduce(function (sum, p) { return sum + p.file.size; }, 0));
          window.location.assign(body.url);
          return;
        }
        failed(submit, body.error);
      });
      request.addEventListener('error', function () { failed(submit, null); });
      request.send(data);
    }

    function failed(submit, error) {
      submit.disabled = false;
      form.querySelector('[data-progress]').hidden = true;
      errors.textContent = '';
      var lines = error ? [error.message].concat(error.problems || []) : [text(form, 'failed')];
      lines.forEach(function (line) {
        var p = document.createElement('p');
        p.textContent = line;
        errors.appendChild(p);
      });
    }
  }

  // forms on the page now, and those a live update brings (a claim that has just come back needing a photo)
  function setupAll() {
    document.querySelectorAll('form[data-upload]:not([data-upload-ready])').forEach(function (form) {
      form.setAttribute('data-upload-ready', '');
      setup(form);
    });
  }
  setupAll();
  document.addEventListener('live-updated', setupAll);
})();
