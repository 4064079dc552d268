"use strict";
/* All data reaches the page through textContent and attributes: no markup is
   ever built from API values. */
const RULES={"monthly-roadshow":"月月有路演","quarterly-event":"季季有活动","yearly-competition":"年年有大赛"};
const STATUS={met:"已达成",scheduled:"已排期",at_risk:"有风险",missed:"未达成",open:"未开始"};
const ORDER=["met","scheduled","at_risk","missed","open"];
const PERIOD={month:"每月",quarter:"每季度",year:"每年"};
const SCOPE={district:"全区",region:"各区域",carrier:"各载体",partner:"各合作地区"};
const UPCOMING_DAYS=183,UPCOMING_MAX=20;
const q=new URLSearchParams(location.search);
const AS_OF=q.get("as_of");
function el(tag,text,cls){const e=document.createElement(tag);if(text!==undefined&&text!==null)e.textContent=text;if(cls)e.className=cls;return e;}
async function getJSON(u){const r=await fetch(u);if(!r.ok)throw new Error(u+"：HTTP "+r.status);return r.json();}
/* "2025-03-01T00:30:00+08:00" -> "2025-03-01 00:30"; another offset is named. */
function fmtTime(s){const m=/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(s||"");
  if(!m)return s||"";return m[1]+" "+m[2]+(m[3]==="+08:00"?"":" (UTC"+(m[3]==="Z"?"":m[3])+")");}
function fmtWhen(e){
  if(e.all_day){let t=e.start_date+" 全天";
    if(e.end_date){const last=new Date(Date.parse(e.end_date+"T00:00:00Z")-86400e3).toISOString().slice(0,10);
      if(last>e.start_date)t=e.start_date+" 至 "+last;}
    return t;}
  const a=fmtTime(e.start),b=fmtTime(e.end);
  if(b&&a.slice(0,10)===b.slice(0,10)&&a.length===16&&b.length===16)return a+"–"+b.slice(11);
  return b?a+" 至 "+b:a;}
async function getMeta(){
  const [kinds,regions,carriers]=await Promise.all(["/api/v1/kinds","/api/v1/regions","/api/v1/carriers"].map(getJSON));
  const names={};
  for(const k of kinds.items)names["kind:"+k.slug]=k.name;
  for(const r of regions.items)names[(r.partner?"partner:":"region:")+r.slug]=r.name;
  for(const c of carriers.items)names["carrier:"+c.slug]=c.name;
  return {kinds:kinds.items,regions:regions.items,carriers:carriers.items,names};}
function scopeName(s,meta){if(s==="district")return "全区";return (meta&&meta.names[s])||s;}
function ruleNote(r,meta){if(!r)return "";
  const kinds=String(r.kinds||"").split(",").filter(Boolean).map(k=>(meta&&meta.names["kind:"+k])||k).join("、");
  return (PERIOD[r.period]||r.period)+"至少 "+r.min+" 场（"+kinds+"）· 范围："+(SCOPE[r.scope]||r.scope);}
function cadenceQuery(year){return "year="+encodeURIComponent(year)+(AS_OF?"&as_of="+encodeURIComponent(AS_OF):"");}
async function heatmap(year,meta){
  document.getElementById("csv").href="/api/v1/cadence?format=csv&"+cadenceQuery(year);
  const root=document.getElementById("heatmap");root.replaceChildren();
  const rep=await getJSON("/api/v1/cadence?"+cadenceQuery(year));
  document.getElementById("asof").textContent="数据截至 "+fmtTime(rep.as_of);
  const rules={};for(const r of rep.rules||[])rules[r.id]=r;
  const byRule={};
  for(const p of rep.periods){(byRule[p.rule]=byRule[p.rule]||[]).push(p);}
  for(const rule of Object.keys(byRule)){
    const rows=byRule[rule];const periods=[...new Set(rows.map(p=>p.period))];
    const scopes=[...new Set(rows.map(p=>p.scope))];
    const box=el("div",undefined,"rule");box.dataset.rule=rule;
    box.appendChild(el("h3",((rules[rule]&&rules[rule].name)||RULES[rule]||rule)+" · "+rule));
    const count={};for(const p of rows)count[p.status]=(count[p.status]||0)+1;
    const summary=ORDER.filter(s=>count[s]).map(s=>STATUS[s]+" "+count[s]).join(" · ");
    box.appendChild(el("p",[ruleNote(rules[rule],meta),summary].filter(Boolean).join("　|　")));
    const t=el("table",undefined,"heat");t.dataset.rule=rule;
    const head=el("tr");head.appendChild(el("th","范围"));
    for(const p of periods)head.appendChild(el("th",p));t.appendChild(head);
    for(const s of scopes){const tr=el("tr");tr.dataset.scope=s;tr.appendChild(el("th",scopeName(s,meta),"scope"));
      for(const p of periods){const c=rows.find(x=>x.scope===s&&x.period===p);
        const td=el("td",c?STATUS[c.status]||c.status:"",c?c.status:"");
        if(c){td.title=(STATUS[c.status]||c.status)+" · 已举办 "+c.held+" · 已排期 "+c.scheduled+" · 至少 "+c.min+(c.days_left!==undefined?" · 剩余 "+c.days_left+" 天":"");
          td.dataset.status=c.status;td.dataset.period=p;}
        tr.appendChild(td);}
      t.appendChild(tr);}
    const wrap=el("div",undefined,"scroll");wrap.appendChild(t);box.appendChild(wrap);
    root.appendChild(box);}
  if(!rep.periods.length)root.appendChild(el("p","该年份没有生效的节奏规则。","note"));
  return rep.as_of;
}
function iso(ms){return new Date(ms).toISOString().replace(/\.\d+Z$/,"Z");}
/* Occurrences from the report's as_of (the server's clock, or ?as_of=) on. */
async function upcoming(asOf){
  const tb=document.querySelector("#upcoming tbody");tb.replaceChildren();
  const ok=!!asOf&&!isNaN(Date.parse(asOf));const fromMs=ok?Date.parse(asOf):Date.now();
  const from=ok?asOf:iso(fromMs),to=iso(fromMs+UPCOMING_DAYS*86400e3);
  document.getElementById("upcoming-note").textContent="自 "+fmtTime(from)+" 起六个月内，最多 "+UPCOMING_MAX+" 场。";
  const evs=await getJSON("/api/v1/events?expand=true&from="+encodeURIComponent(from)+"&to="+encodeURIComponent(to));
  for(const e of evs.items.slice(0,UPCOMING_MAX)){const tr=el("tr");
    const cancelled=e.status==="CANCELLED";if(cancelled)tr.className="cancelled";
    tr.appendChild(el("td",fmtWhen(e),"when"));tr.appendChild(el("td",e.kind_name||e.kind,"kind"));
    tr.appendChild(el("td",(cancelled?"[已取消] ":"")+e.title,"title"));
    tr.appendChild(el("td",e.carrier_name||"全区"));tr.appendChild(el("td",e.venue||""));tb.appendChild(tr);}
  if(!evs.items.length){const tr=el("tr");const td=el("td","暂无近期活动","empty");td.colSpan=5;tr.appendChild(td);tb.appendChild(tr);}
}
function feedItem(ul,name,feed){const li=el("li");const a=el("a",name,"webcal");a.href=feed.webcal;li.appendChild(a);
  const h=el("a","ics","ics");h.href=feed.url;h.title=feed.url;li.appendChild(h);ul.appendChild(li);}
function feedGroup(root,title,items){if(!items.length)return;root.appendChild(el("h3",title));
  const ul=el("ul",undefined,"feeds");for(const [name,feed] of items)feedItem(ul,name,feed);root.appendChild(ul);}
function feeds(meta){
  const root=document.getElementById("feeds");root.replaceChildren();
  const base=location.host;
  feedGroup(root,"全区",[["全区所有活动",{webcal:"webcal://"+base+"/calendar.ics",url:location.origin+"/calendar.ics"}]]);
  feedGroup(root,"按活动类型",meta.kinds.map(k=>[k.name,k.feed]));
  feedGroup(root,"按区域",meta.regions.filter(r=>!r.partner).map(r=>[r.name,r.feed]));
  feedGroup(root,"按合作地区",meta.regions.filter(r=>r.partner).map(r=>[r.name,r.feed]));
  feedGroup(root,"按载体",meta.carriers.map(c=>[c.name,c.feed]));
}
async function load(){
  const year=document.getElementById("year").value.trim();
  const errs=[];const fail=e=>errs.push(e.message||String(e));
  document.body.dataset.state="loading";document.getElementById("err").textContent="";
  let meta=null,asOf=AS_OF;
  try{meta=await getMeta();}catch(e){fail(e);}
  try{if(!/^\d{4}$/.test(year))throw new Error("年份须为四位数字");asOf=await heatmap(year,meta);}catch(e){fail(e);}
  try{await upcoming(asOf);}catch(e){fail(e);}
  try{if(meta)feeds(meta);}catch(e){fail(e);}
  if(errs.length)document.getElementById("err").textContent="加载失败："+errs.join("；");
  document.body.dataset.state=errs.length?"error":"ready";
}
document.getElementById("year").value=q.get("year")||(AS_OF&&/^\d{4}/.test(AS_OF)?AS_OF.slice(0,4):String(new Date().getFullYear()));
document.getElementById("yearform").addEventListener("submit",ev=>{ev.preventDefault();
  const p=new URLSearchParams(location.search);p.set("year",document.getElementById("year").value.trim());
  history.replaceState(null,"","?"+p.toString());load();});
load();
