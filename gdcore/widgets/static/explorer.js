/* gdcore explorer: draws gradient-descent runs precomputed by gdcore over a matplotlib
 * background. Self-contained (no library, no network). Inlined once per explorer; the guard
 * below makes every copy after the first a no-op, so nothing is declared twice. */
(function () {
  "use strict";
  if (window.gdExplorer) {
    return;
  }
  /* the payload format this script implements (gdcore.widgets._schema.VERSION); every other
   * constant comes with the payload (payload.schema) */
  var FORMAT = 3;

  function bytes(b64) {
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out;
  }

  /* A small synchronous inflate (RFC 1950/1951, after Mark Adler's puff.c). */
  var LBASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83,
    99, 115, 131, 163, 195, 227, 258];
  var LEXT = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  var DBASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
  var DEXT = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11,
    12, 12, 13, 13];
  var ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

  function huffman(lengths, n) {
    var count = new Uint16Array(16);
    var symbol = new Uint16Array(n);
    var offs = new Uint16Array(16);
    var i;
    for (i = 0; i < n; i++) {
      count[lengths[i]]++;
    }
    count[0] = 0;
    for (i = 1; i < 15; i++) {
      offs[i + 1] = offs[i] + count[i];
    }
    for (i = 0; i < n; i++) {
      if (lengths[i]) {
        symbol[offs[lengths[i]]++] = i;
      }
    }
    return { count: count, symbol: symbol };
  }

  function inflate(src, size) {
    var out = new Uint8Array(size);
    var pos = 2; /* skip the zlib header; the adler32 trailer is not checked */
    var op = 0;
    var bitbuf = 0;
    var bitcnt = 0;
    function bits(n) {
      while (bitcnt < n) {
        if (pos >= src.length) {
          throw new Error("gdExplorer: truncated data");
        }
        bitbuf |= src[pos++] << bitcnt;
        bitcnt += 8;
      }
      var v = bitbuf & ((1 << n) - 1);
      bitbuf >>>= n;
      bitcnt -= n;
      return v;
    }
    function decode(h) {
      var code = 0;
      var first = 0;
      var index = 0;
      for (var len = 1; len <= 15; len++) {
        code |= bits(1);
        var count = h.count[len];
        if (code - count < first) {
          return h.symbol[index + (code - first)];
        }
        index += count;
        first += count;
        first <<= 1;
        code <<= 1;
      }
      throw new Error("gdExplorer: bad Huffman code");
    }
    var fixedL = null;
    var fixedD = null;
    var last = 0;
    while (!last) {
      last = bits(1);
      var type = bits(2);
      var lencode;
      var distcode;
      var i;
      if (type === 0) {
        bitbuf = 0;
        bitcnt = 0;
        var len = src[pos] | (src[pos + 1] << 8);
        pos += 4;
        out.set(src.subarray(pos, pos + len), op);
        pos += len;
        op += len;
        continue;
      } else if (type === 1) {
        if (!fixedL) {
          var l = new Uint8Array(288);
          for (i = 0; i < 288; i++) {
            l[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
          }
          fixedL = huffman(l, 288);
          var dl = new Uint8Array(30);
          for (i = 0; i < 30; i++) {
            dl[i] = 5;
          }
          fixedD = huffman(dl, 30);
        }
        lencode = fixedL;
        distcode = fixedD;
      } else if (type === 2) {
        var nlen = bits(5) + 257;
        var ndist = bits(5) + 1;
        var ncode = bits(4) + 4;
        var lengths = new Uint8Array(320);
        for (i = 0; i < ncode; i++) {
          lengths[ORDER[i]] = bits(3);
        }
        var lencodeCL = huffman(lengths, 19);
        lengths = new Uint8Array(320);
        i = 0;
        while (i < nlen + ndist) {
          var sym = decode(lencodeCL);
          if (sym < 16) {
            lengths[i++] = sym;
          } else {
            var rep = 0;
            var val = 0;
            if (sym === 16) {
              val = lengths[i - 1];
              rep = 3 + bits(2);
            } else if (sym === 17) {
              rep = 3 + bits(3);
            } else {
              rep = 11 + bits(7);
            }
            while (rep--) {
              lengths[i++] = val;
            }
          }
        }
        lencode = huffman(lengths.subarray(0, nlen), nlen);
        distcode = huffman(lengths.subarray(nlen, nlen + ndist), ndist);
      } else {
        throw new Error("gdExplorer: bad block type");
      }
      for (;;) {
        var s = decode(lencode);
        if (s < 256) {
          out[op++] = s;
        } else if (s === 256) {
          break;
        } else {
          s -= 257;
          var n = LBASE[s] + bits(LEXT[s]);
          var ds = decode(distcode);
          var from = op - (DBASE[ds] + bits(DEXT[ds]));
          while (n--) {
            out[op++] = out[from++];
          }
        }
      }
    }
    return out;
  }

  /* undo gdcore's byte planes + delta coding: n k-byte little-endian unsigned values, each
   * the difference from the value "stride" places before (one column of a row-major table) */
  function unplanes(b, k, n, stride) {
    var out = k === 4 ? new Uint32Array(n) : new Uint16Array(n);
    var acc = new Float64Array(stride);
    for (var i = 0; i < n; i++) {
      var v = 0;
      for (var j = k - 1; j >= 0; j--) {
        v = v * 256 + b[j * n + i];
      }
      var c = i % stride;
      acc[c] = k === 4 ? (acc[c] + v) % 4294967296 : (acc[c] + v) % 65536;
      out[i] = acc[c];
    }
    return out;
  }

  /* decode the precomputed runs: table, lens, nits, codes, loss codes and values, params */
  function unpack(d, codec) {
    var L = d.layout;
    var qmax = d.schema.qmax;
    var blob = inflate(bytes(d.data), L.raw_size);
    function sec(name) {
      var s = L.sections[name];
      return blob.slice(s[0], s[0] + s[1]);
    }
    var n = L.n_points;
    var codes = unplanes(sec("losses"), 4, n, 1);
    var values = new Float64Array(n);
    for (var i = 0; i < n; i++) {
      values[i] = codec.lossValue(codes[i], L.refine);
    }
    var out = {
      table: new Uint32Array(sec("table").buffer),
      lens: new Uint32Array(sec("lens").buffer),
      nits: new Uint32Array(sec("nits").buffer),
      codes: sec("codes"),
      lossCodes: codes,
      losses: values,
      params: null,
      vlosses: null,
    };
    if (L.sections.vlosses) {
      var vcodes = unplanes(sec("vlosses"), 4, n, 1);
      var vvalues = new Float64Array(n);
      for (var v = 0; v < n; v++) {
        vvalues[v] = codec.lossValue(vcodes[v], true);
      }
      out.vlosses = vvalues;
    }
    if (L.sections.params) {
      var dim = d.dim;
      var q = unplanes(sec("params"), 2, n * dim, dim);
      var exc = new Float32Array(sec("exceptions").buffer);
      var p = new Float64Array(n * dim);
      var e = 0;
      for (var j = 0; j < n * dim; j++) {
        var box = L.qbox[j % dim];
        p[j] = q[j] === qmax + 1 ? exc[e++] : box[0] + (q[j] / qmax) * (box[1] - box[0]);
      }
      out.params = p;
    }
    return out;
  }

  /* Losses are stored as the digits of Python's f"{loss:.3g}": mantissa, decimal exponent,
   * sign, optionally a 4th digit for drawing (gdcore.widgets._schema, sent as payload.schema).
   * The status text is built from these digits, so it is Python's text exactly. */
  function codec(S) {
    var P = S.loss_digits;
    var M0 = Math.pow(10, P - 1); /* the smallest mantissa */
    var half = (S.refine - 1) / 2;

    /* the value of a loss code (decodeLoss without the text: fast, for decoding every point) */
    function lossValue(code, refine) {
      if (code === S.code_zero) {
        return 0;
      }
      if (code === S.code_nan) {
        return NaN;
      }
      if (code === S.code_inf) {
        return Infinity;
      }
      if (code === S.code_ninf) {
        return -Infinity;
      }
      var neg = code >= S.sign_bit;
      var c = (neg ? code - S.sign_bit : code) - 1;
      var r = 0;
      if (refine) {
        r = (c % S.refine) - half;
        c = Math.floor(c / S.refine);
      }
      var e = Math.floor(c / S.mantissas) + S.e_min;
      var x = (c % S.mantissas) + M0 + r / 10;
      var value;
      if (e < -290) {
        value = x / 1e100 / Math.pow(10, P - 1 - e - 100);
      } else {
        value = e >= P - 1 ? x * Math.pow(10, e - P + 1) : x / Math.pow(10, P - 1 - e);
      }
      return neg ? -value : value;
    }

    /* [text, value]: the text is Python's "%.3g" of the loss */
    function decodeLoss(code, refine) {
      var special = { zero: "0", nan: "nan", inf: "inf", ninf: "-inf" };
      for (var k in special) {
        if (code === S["code_" + k]) {
          return [special[k], lossValue(code, refine)];
        }
      }
      var neg = code >= S.sign_bit;
      var c = (neg ? code - S.sign_bit : code) - 1;
      if (refine) {
        c = Math.floor(c / S.refine); /* drop the drawing digit */
      }
      var e = Math.floor(c / S.mantissas) + S.e_min;
      var digits = String((c % S.mantissas) + M0);
      var text;
      if (e >= -4 && e < P) { /* "%g": positional notation */
        if (e >= 0) {
          text = digits.slice(0, e + 1) + "." + digits.slice(e + 1);
        } else {
          text = "0." + new Array(-e).join("0") + digits;
        }
        if (text.indexOf(".") >= 0) {
          text = text.replace(/0+$/, "").replace(/\.$/, "");
        }
      } else {
        var mant = (digits.charAt(0) + "." + digits.slice(1)).replace(/0+$/, "").replace(/\.$/, "");
        var ae = Math.abs(e);
        text = mant + "e" + (e < 0 ? "-" : "+") + (ae < 10 ? "0" : "") + ae;
      }
      return [neg ? "-" + text : text, lossValue(code, refine)];
    }

    /* the same text as gdcore.widgets._schema.status_text */
    function statusText(code, nit, k, lossText) {
      var done = code !== 0 && nit <= k;
      var n = done ? nit : k;
      var steps = n + " " + S.step_words[n === 1 ? 0 : 1];
      return S.status_texts[String(done ? code : 0)]
        .replace("{steps}", steps)
        .replace("{loss}", lossText);
    }

    return { lossValue: lossValue, decodeLoss: decodeLoss, statusText: statusText };
  }

  /* Liang-Barsky: clip segment (x0,y0)-(x1,y1) to the box; null when outside */
  function clipSegment(x0, y0, x1, y1, b) {
    var t0 = 0;
    var t1 = 1;
    var dx = x1 - x0;
    var dy = y1 - y0;
    var p = [-dx, dx, -dy, dy];
    var q = [x0 - b[0], b[2] - x0, y0 - b[1], b[3] - y0];
    for (var i = 0; i < 4; i++) {
      if (p[i] === 0) {
        if (q[i] < 0) {
          return null;
        }
      } else {
        var r = q[i] / p[i];
        if (p[i] < 0) {
          if (r > t1) {
            return null;
          }
          if (r > t0) {
            t0 = r;
          }
        } else {
          if (r < t0) {
            return null;
          }
          if (r < t1) {
            t1 = r;
          }
        }
      }
    }
    return [x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy];
  }


  function Explorer(root) {
    this.root = root;
    this.status = root.querySelector(".gd-status");
    var d = JSON.parse(root.querySelector("script.gd-data").textContent);
    this.d = d;
    root.gdData = d;
    if (d.v !== FORMAT) {
      var msg = d.schema && d.schema.version_mismatch
        ? d.schema.version_mismatch.replace("{got}", d.v).replace("{want}", FORMAT)
        : "explorer data format " + d.v + " does not match explorer.js format " + FORMAT;
      throw new Error(msg);
    }
    var self = this;
    this.codec = codec(d.schema);
    var runs = unpack(d, this.codec);
    this.table = runs.table;
    this.lossCodes = runs.lossCodes;
    this.lens = runs.lens;
    this.nits = runs.nits;
    this.codes = runs.codes;
    this.losses = runs.losses;
    this.vlosses = runs.vlosses;
    this.params = runs.params;
    var off = new Float64Array(this.lens.length + 1);
    for (var i = 0; i < this.lens.length; i++) {
      off[i + 1] = off[i] + this.lens[i];
    }
    this.off = off;
    /* one view per panel: its background image, its canvas and its geometry */
    var panels = root.querySelectorAll(".gd-panel");
    this.views = d.panels.map(function (p, j) {
      return {
        p: p,
        img: panels[j].querySelector("img.gd-background"),
        canvas: panels[j].querySelector("canvas.gd-figure"),
      };
    });
    this.state = {};
    this.inputs = {};
    this.readouts = {};
    d.controls.forEach(function (c) {
      var q = window.CSS && CSS.escape ? CSS.escape(c.name) : c.name;
      var el = root.querySelector('[data-name="' + q + '"]');
      self.inputs[c.key] = el;
      self.state[c.key] = c.value;
      var out = el.closest(".gd-control").querySelector("output");
      if (out) {
        self.readouts[c.key] = out;
      }
      var handler = function (ev) {
        self.onInput(c, ev);
      };
      el.addEventListener("input", handler);
      if (el.tagName === "SELECT") {
        el.addEventListener("change", handler);
      }
    });
    var redraw = function () {
      self.safely(function () {
        self.layoutMarks();
        self.resize();
        self.draw();
      });
    };
    if (window.ResizeObserver) {
      var ro = new ResizeObserver(redraw);
      this.views.forEach(function (v) {
        ro.observe(v.img);
      });
    } else {
      window.addEventListener("resize", redraw);
    }
    this.layoutMarks();
    this.resize();
    this.draw();
  }

  /* run f; an error is shown in the status line (and the console), never swallowed */
  Explorer.prototype.safely = function (f) {
    try {
      f();
      this.status.classList.remove("gd-error");
    } catch (e) {
      showError(this.root, this.d, e);
    }
  };

  function showError(root, d, e) {
    var status = root.querySelector(".gd-status");
    var prefix = d && d.schema ? d.schema.error_prefix : "";
    status.textContent = prefix + (e && e.message ? e.message : String(e));
    status.classList.add("gd-error");
    if (window.console) {
      console.warn("gdExplorer:", e);
    }
  }

  Explorer.prototype.onInput = function (c, ev) {
    var t0 = ev && ev.timeStamp ? ev.timeStamp : performance.now();
    var v = parseInt(this.inputs[c.key].value, 10);
    if (this.state[c.key] === v && ev && ev.type === "change") {
      return;
    }
    this.state[c.key] = v;
    if (c.key === "optimizer" && this.d.jump && this.d.jump[v] >= 0) {
      this.state.lr = this.d.jump[v];
      this.inputs.lr.value = String(this.d.jump[v]);
    }
    var self = this;
    this.safely(function () {
      self.draw();
    });
    var t1 = performance.now();
    var rec = { handler: t1 - t0, frame: null };
    var timings = api.timings;
    timings.push(rec);
    if (timings.length > 500) {
      timings.shift();
    }
    requestAnimationFrame(function () {
      rec.frame = performance.now() - t0;
    });
  };

  /* mark labels under a range input: rows so that no two labels overlap at the current width */
  Explorer.prototype.layoutMarks = function () {
    var boxes = this.root.querySelectorAll(".gd-marks");
    for (var b = 0; b < boxes.length; b++) {
      var labels = Array.prototype.slice.call(boxes[b].querySelectorAll(".gd-mark"));
      var width = boxes[b].clientWidth;
      if (!width) {
        continue;
      }
      var items = labels.map(function (el) {
        var w = el.offsetWidth;
        var x = (parseFloat(el.getAttribute("data-t")) || 0) * (width - 16) + 8;
        return { el: el, lo: x - w / 2, hi: x + w / 2 };
      });
      items.sort(function (p, q) {
        return p.lo - q.lo;
      });
      var ends = [];
      items.forEach(function (it) {
        var row = 0;
        while (row < ends.length && it.lo < ends[row] + 6) {
          row++;
        }
        ends[row] = it.hi;
        it.el.style.top = 5 + 15 * row + "px";
      });
      boxes[b].style.height = 5 + 15 * Math.max(ends.length, 1) + "px";
    }
  };

  Explorer.prototype.resize = function () {
    var dpr = window.devicePixelRatio || 1;
    this.dpr = dpr;
    this.views.forEach(function (v) {
      var w = v.img.clientWidth || v.p.size[0];
      var h = v.img.clientHeight || (w * v.p.size[1]) / v.p.size[0];
      v.cssW = w;
      v.cssH = h;
      var bw = Math.round(w * dpr);
      var bh = Math.round(h * dpr);
      if (v.canvas.width !== bw || v.canvas.height !== bh) {
        v.canvas.width = bw;
        v.canvas.height = bh;
      }
    });
  };

  /* the runs selected by the controls: [{r, n, nit, code, color, label}] */
  Explorer.prototype.selected = function () {
    var d = this.d;
    var combo = 0;
    for (var i = 0; i < d.options.length; i++) {
      combo = combo * d.radix[i] + this.state[d.options[i]];
    }
    var k = this.state.steps;
    var out = [];
    for (var j = 0; j < d.n_active; j++) {
      var r = this.table[combo * d.n_active + j] * d.n_lr + this.state.lr;
      var nit = this.nits[r];
      var series = d.compare ? j : d.options[0] === "optimizer" ? this.state.optimizer : 0;
      out.push({
        r: r,
        n: Math.min(k, nit) + 1,
        nit: nit,
        code: this.codes[r],
        color: d.style.colors[d.compare ? j : 0],
        label: d.labels[series],
      });
    }
    return out;
  };

  Explorer.prototype.draw = function () {
    var d = this.d;
    var S = d.schema;
    var runs = this.selected();
    var self = this;
    this.views.forEach(function (v) {
      var ax = v.p;
      var ctx = v.canvas.getContext("2d");
      var s = v.cssW / ax.size[0]; /* CSS px of the shown panel per CSS px of the original */
      ctx.setTransform(self.dpr, 0, 0, self.dpr, 0, 0);
      ctx.clearRect(0, 0, v.cssW, v.cssH);
      var box = [ax.box[0] * v.cssW, ax.box[1] * v.cssH, ax.box[2] * v.cssW, ax.box[3] * v.cssH];
      var fx = ax.xlog ? Math.log10 : function (x) { return x; };
      var fy = ax.ylog ? function (y) { return y > 0 ? Math.log10(y) : -1000; } : function (y) { return y; };
      var x0 = fx(ax.xlim[0]);
      var sx = box[2] / (fx(ax.xlim[1]) - x0);
      var y0 = fy(ax.ylim[0]);
      var sy = box[3] / (fy(ax.ylim[1]) - y0);
      var T = {
        x: function (x) { return box[0] + (fx(x) - x0) * sx; },
        y: function (y) { return box[1] + box[3] - (fy(y) - y0) * sy; },
      };
      ctx.save();
      ctx.beginPath();
      ctx.rect(box[0], box[1], box[2], box[3]);
      ctx.clip();
      runs.forEach(function (run) {
        self.drawPanel(ctx, ax, T, box, run, s);
      });
      ctx.restore();
    });
    /* readouts and status */
    d.controls.forEach(function (c) {
      var out = self.readouts[c.key];
      if (out) {
        out.textContent = c.labels ? c.labels[self.state[c.key]] : String(self.state[c.key]);
      }
    });
    var k = this.state.steps;
    var parts = runs.map(function (run) {
      var code = self.lossCodes[self.off[run.r] + run.n - 1];
      var loss = self.codec.decodeLoss(code, d.layout.refine)[0];
      var text = self.codec.statusText(run.code, run.nit, k, loss);
      return d.compare ? run.label + S.label_separator + text : text;
    });
    this.status.textContent = parts.join(S.series_separator);
  };

  Explorer.prototype.points = function (panel, run, T) {
    /* pixel coordinates of the shown points of a run on a panel */
    var o = this.off[run.r];
    var xs = new Float64Array(run.n);
    var ys = new Float64Array(run.n);
    for (var i = 0; i < run.n; i++) {
      var loss = this.losses[o + i];
      if (panel === "contour") {
        xs[i] = T.x(this.params[(o + i) * 2]);
        ys[i] = T.y(this.params[(o + i) * 2 + 1]);
      } else if (panel === "curve") {
        xs[i] = T.x(this.params[o + i]);
        ys[i] = T.y(loss);
      } else {
        xs[i] = T.x(i);
        ys[i] = T.y(loss);
      }
    }
    return [xs, ys];
  };

  Explorer.prototype.polyline = function (ctx, xs, ys, box) {
    var m = this.d.schema.clip_margin_px;
    var b = [box[0] - m, box[1] - m, box[0] + box[2] + m, box[1] + box[3] + m];
    ctx.beginPath();
    var open = false;
    for (var i = 1; i < xs.length; i++) {
      if (!(isFinite(xs[i - 1]) && isFinite(ys[i - 1]) && isFinite(xs[i]) && isFinite(ys[i]))) {
        open = false;
        continue;
      }
      var seg = clipSegment(xs[i - 1], ys[i - 1], xs[i], ys[i], b);
      if (!seg) {
        open = false;
        continue;
      }
      if (!open || seg[0] !== xs[i - 1] || seg[1] !== ys[i - 1]) {
        ctx.moveTo(seg[0], seg[1]);
      }
      ctx.lineTo(seg[2], seg[3]);
      open = seg[2] === xs[i] && seg[3] === ys[i];
    }
    ctx.stroke();
  };

  function inside(x, y, box, m) {
    return isFinite(x) && isFinite(y) && x >= box[0] - m && x <= box[0] + box[2] + m &&
      y >= box[1] - m && y <= box[1] + box[3] + m;
  }

  Explorer.prototype.drawPanel = function (ctx, ax, T, box, run, s) {
    var st = this.d.style;
    var S = this.d.schema;
    var panel = ax.panel;
    ctx.lineJoin = "round";
    ctx.lineCap = "butt";
    ctx.strokeStyle = run.color;
    ctx.fillStyle = run.color;
    if (panel === "loss") {
      var pl = this.points(panel, run, T);
      ctx.lineWidth = st.loss_lw * s;
      ctx.setLineDash([]);
      this.polyline(ctx, pl[0], pl[1], box);
      if (this.vlosses) {
        var o = this.off[run.r];
        var vy = new Float64Array(run.n);
        for (var i = 0; i < run.n; i++) {
          vy[i] = T.y(this.vlosses[o + i]);
        }
        ctx.setLineDash([S.validation_dash[0] * st.loss_lw * s, S.validation_dash[1] * st.loss_lw * s]);
        this.polyline(ctx, pl[0], vy, box);
        ctx.setLineDash([]);
      }
      return;
    }
    if (panel === "fit") {
      this.drawFit(ctx, ax, T, box, run, s);
      return;
    }
    var p = this.points(panel, run, T);
    var xs = p[0];
    var ys = p[1];
    var n = xs.length;
    /* the path */
    if (panel === "curve") {
      ctx.lineWidth = st.curve_path_lw * s;
      ctx.setLineDash([S.curve_dash[0] * st.curve_path_lw * s, S.curve_dash[1] * st.curve_path_lw * s]);
    } else {
      ctx.lineWidth = st.path_lw * s;
      ctx.setLineDash([]);
    }
    this.polyline(ctx, xs, ys, box);
    ctx.setLineDash([]);
    /* iterate markers, with matplotlib's default edge in the line colour */
    var r = st.path_r * s;
    var edge = st.marker_edge * s;
    var mm = S.marker_margin_px;
    ctx.beginPath();
    for (var i = 0; i < (n <= st.marker_max ? n : 0); i++) {
      if (inside(xs[i], ys[i], box, r + 2)) {
        ctx.moveTo(xs[i] + r + edge / 2, ys[i]);
        ctx.arc(xs[i], ys[i], r + edge / 2, 0, 2 * Math.PI);
      }
    }
    ctx.fill();
    /* start: hollow square */
    if (n > 0 && inside(xs[0], ys[0], box, mm)) {
      var h = (st.start_size * s) / 2;
      ctx.fillStyle = "#ffffff";
      ctx.lineWidth = st.start_lw * s;
      ctx.fillRect(xs[0] - h, ys[0] - h, 2 * h, 2 * h);
      ctx.strokeRect(xs[0] - h, ys[0] - h, 2 * h, 2 * h);
    }
    /* current iterate: a large dot with a white rim */
    var c = n - 1;
    if (n > 0 && inside(xs[c], ys[c], box, mm)) {
      var rc = st.current_r * s;
      ctx.beginPath();
      ctx.arc(xs[c], ys[c], rc, 0, 2 * Math.PI);
      ctx.fillStyle = run.color;
      ctx.fill();
      ctx.lineWidth = st.current_lw * s;
      ctx.strokeStyle = "#ffffff";
      ctx.stroke();
    }
  };

  Explorer.prototype.drawFit = function (ctx, ax, T, box, run, s) {
    var d = this.d;
    var o = (this.off[run.r] + run.n - 1) * d.dim;
    var w = this.params[o];
    var b = this.params[o + 1];
    var m = d.schema.fit_points[d.fit];
    var xs = new Float64Array(m);
    var ys = new Float64Array(m);
    for (var i = 0; i < m; i++) {
      var x = ax.xlim[0] + ((ax.xlim[1] - ax.xlim[0]) * i) / (m - 1);
      var z = w * x + b;
      xs[i] = T.x(x);
      ys[i] = T.y(d.fit === "logistic" ? 1 / (1 + Math.exp(-z)) : z);
    }
    ctx.lineWidth = d.style.fit_lw * s;
    ctx.setLineDash([]);
    this.polyline(ctx, xs, ys, box);
  };

  var api = {
    format: FORMAT,
    timings: [],
    codec: codec,
    inflate: inflate,
    unpack: unpack,
    explorers: [],
    init: function (root) {
      if (!root || root.getAttribute("data-init") === "1") {
        return null;
      }
      root.setAttribute("data-init", "1");
      var ex = null;
      try {
        ex = new Explorer(root);
        api.explorers.push(ex);
        root.setAttribute("data-ready", "1");
      } catch (e) {
        showError(root, root.gdData, e);
        root.setAttribute("data-ready", "error");
      }
      return ex;
    },
  };
  window.gdExplorer = api;
})();
