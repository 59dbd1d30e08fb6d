// Accessibility of built pages, measured in a real browser: axe-core in Debian's Chromium, driven by
// puppeteer-core (no browser download), plus three checks axe does not make.
//
// Usage: node scripts/axe.mjs [--widths 1280,420] [--schemes light,dark] [--narrow 320] PAGE ...
//   PAGE: an html file or a URL. Prints one JSON document on stdout:
//   {"chromium": version, "axe": version, "runs": [{page, width, scheme, theme, violations, scroll, contrast}],
//    "narrow": [{page, width, clipped, overflow}]}
// - violations: axe's (default rules: WCAG 2.x A/AA and best practice), each with its nodes.
// - scroll: elements that scroll but are not themselves reachable by keyboard with a name (WCAG 2.1.1):
//   a keyboard user can only scroll a box that takes focus, a screen reader user must hear what it is.
// - contrast: graphical objects of the charts below 3:1 against what they are drawn on (WCAG 1.4.11),
//   which axe does not measure.
// - narrow: at --narrow px (WCAG 1.4.10's 320 CSS px), headings h1-h3 whose text runs out of their box,
//   and how far the page scrolls sideways.
// One browser and one tab for the whole run: a page costs a navigation, not a browser start.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

function parseArgs(argv) {
  const opts = { widths: [1280, 420], schemes: ["light", "dark"], narrow: 320, pages: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--widths") opts.widths = argv[++i].split(",").map(Number);
    else if (a === "--schemes") opts.schemes = argv[++i].split(",");
    else if (a === "--narrow") opts.narrow = Number(argv[++i]);
    else opts.pages.push(a);
  }
  if (!opts.pages.length || opts.widths.some(Number.isNaN) || opts.schemes.some((s) => !["light", "dark"].includes(s))) {
    console.error("usage: node scripts/axe.mjs [--widths 1280,420] [--schemes light,dark] [--narrow 320] PAGE ...");
    process.exit(2);
  }
  return opts;
}

const url = (page) => (/^[a-z]+:\/\//.test(page) ? page : pathToFileURL(resolve(page)).href);

// --- measured inside the page ----------------------------------------------------------------------

// Boxes that scroll (their content is larger than they are, and they let it scroll) but are not a
// tab stop with a name. The document's own scrolling is the browser's.
function unreachableScrollers() {
  const scrolls = (el) => {
    const s = getComputedStyle(el);
    const x = el.scrollWidth > el.clientWidth + 1 && /auto|scroll/.test(s.overflowX);
    const y = el.scrollHeight > el.clientHeight + 1 && /auto|scroll/.test(s.overflowY);
    return (x || y) && s.display !== "none" && s.visibility !== "hidden";
  };
  const named = (el) => (el.getAttribute("aria-label") || "").trim() || el.getAttribute("aria-labelledby");
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    [...el.classList].map((c) => "." + c).join("");
  return [...document.querySelectorAll("body *")]
    .filter((el) => el !== document.scrollingElement && scrolls(el))
    .filter((el) => !(el.hasAttribute("tabindex") && el.tabIndex >= 0 && named(el)))
    .map((el) => ({ element: describe(el), focusable: el.hasAttribute("tabindex") && el.tabIndex >= 0,
                    named: Boolean(named(el)), role: el.getAttribute("role") || "",
                    links: el.querySelectorAll("a[href], button, input, select, textarea").length,
                    html: el.outerHTML.slice(0, 200) }));
}

// Non-text contrast of the charts' marks: each bar, whisker and threshold against the colour behind it.
function chartContrast() {
  const rgb = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const luminance = ({ r, g, b }) => {
    const lin = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const over = (fg, bg) => ({ r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a),
                              b: fg.b * fg.a + bg.b * (1 - fg.a), a: 1 });
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const out = [];
  // Marks that carry meaning; grid lines (class "grid") only help the eye, and are exempt.
  for (const mark of document.querySelectorAll("svg.dataetik-bias-chart :is(rect, line, path):not(.grid)")) {
    const s = getComputedStyle(mark);
    const paint = mark.tagName === "rect" ? s.fill : s.stroke;
    const opacity = Number(mark.tagName === "rect" ? s.fillOpacity : s.strokeOpacity) * Number(s.opacity);
    const fg = rgb(paint);
    if (!fg) continue;
    fg.a *= opacity;
    const bg = background(mark.ownerSVGElement);
    const r = ratio(over(fg, bg), bg);
    if (r < 3) out.push({ mark: mark.tagName + (mark.getAttribute("class") ? "." + mark.getAttribute("class") : ""),
                          colour: paint, background: `rgb(${bg.r}, ${bg.g}, ${bg.b})`, ratio: Math.round(r * 100) / 100 });
  }
  return out;
}

// Headings whose text is wider than their box (cut off or running over what is beside them).
function clippedHeadings() {
  return [...document.querySelectorAll("h1, h2, h3")]
    .filter((h) => h.offsetParent !== null && h.scrollWidth > h.clientWidth + 1)
    .map((h) => ({ heading: h.tagName.toLowerCase(), text: h.textContent.trim().slice(0, 80),
                   scrollWidth: h.scrollWidth, clientWidth: h.clientWidth }));
}

// --- the run ---------------------------------------------------------------------------------------

async function show(page, target, width, scheme) {
  await page.setViewport({ width, height: 900 });
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
  await page.goto(url(target), { waitUntil: "load" });
  // Measured as it settles: a colour still fading from light to dark would be measured half-way.
  await page.addStyleTag({ content: "*, *::before, *::after { transition: none !important; animation: none !important; }" });
  // pydata-sphinx-theme's "auto" mode follows prefers-color-scheme; should it not, set the attribute
  // its theme switch sets.
  const theme = await page.evaluate(() => document.documentElement.dataset.theme || "");
  if (theme !== scheme) await page.evaluate((s) => { document.documentElement.dataset.theme = s; }, scheme);
  return theme;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-sync",
           "--disable-background-networking", "--disable-component-update", "--hide-scrollbars"],
  });
  try {
    const page = await browser.newPage();
    const result = { chromium: await browser.version(), axe: null, runs: [], narrow: [] };
    for (const target of opts.pages) {
      for (const width of opts.widths) {
        for (const scheme of opts.schemes) {
          const followed = await show(page, target, width, scheme);
          await page.evaluate(AXE_SOURCE);
          const axe = await page.evaluate(async () => {
            const r = await window.axe.run(document, { resultTypes: ["violations"] });
            return { version: r.testEngine.version, violations: r.violations.map((v) => ({
              id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
              nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 300), summary: n.failureSummary })),
            })) };
          });
          result.axe = axe.version;
          result.runs.push({
            page: target, width, scheme, theme_followed_scheme: followed === scheme,
            violations: axe.violations,
            scroll: await page.evaluate(unreachableScrollers),
            contrast: await page.evaluate(chartContrast),
          });
        }
      }
      if (opts.narrow) {
        await show(page, target, opts.narrow, "light");
        result.narrow.push({
          page: target, width: opts.narrow,
          clipped: await page.evaluate(clippedHeadings),
          // How far the page itself scrolls sideways (0: it reflows, WCAG 1.4.10).
          overflow: await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth),
          scroll: await page.evaluate(unreachableScrollers),
        });
      }
    }
    process.stdout.write(JSON.stringify(result, null, 1) + "\n");
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(`axe.mjs: ${err.message}`);
  process.exit(1);
});
