
(function(){
  var table=document.getElementById('scorecard-table'); if(!table) return;
  var tbody=table.tBodies[0], heads=table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads,function(th,i){th.addEventListener('click',function(){
    var asc=!th.classList.contains('asc');
    Array.prototype.forEach.call(heads,function(h){h.classList.remove('asc','desc')});
    th.classList.add(asc?'asc':'desc'); var num=th.dataset.type==='num';
    var rows=Array.prototype.slice.call(tbody.rows);
    rows.sort(function(a,b){
      var x=a.cells[i].dataset.v||a.cells[i].textContent, y=b.cells[i].dataset.v||b.cells[i].textContent;
      if(num){x=parseFloat(x);y=parseFloat(y);if(isNaN(x))return 1;if(isNaN(y))return -1;return asc?x-y:y-x;}
      return asc?x.localeCompare(y,'zh'):y.localeCompare(x,'zh');});
    rows.forEach(function(r){tbody.appendChild(r)});});});
  var fs=document.getElementById('f-status'), fsec=document.getElementById('f-section');
  var ft=document.getElementById('f-text');
  function apply(){var n=0;Array.prototype.forEach.call(tbody.rows,function(r){
    var ok=(!fs.value||r.dataset.status===fs.value)&&(!fsec.value||r.dataset.section===fsec.value)&&
      (!ft.value||r.textContent.toLowerCase().indexOf(ft.value.toLowerCase())>=0);
    r.style.display=ok?'':'none'; if(ok)n++;});
    document.getElementById('f-count').textContent=n+' 项 rows';
    document.querySelectorAll('.card').forEach(function(c){c.classList.toggle('active',c.dataset.status===fs.value)});}
  [fs,fsec].forEach(function(el){el.addEventListener('change',apply)}); ft.addEventListener('input',apply);
  document.querySelectorAll('.card').forEach(function(c){c.addEventListener('click',function(){
    fs.value=fs.value===c.dataset.status?'':c.dataset.status; apply();
    document.getElementById('scorecard').scrollIntoView();});});
  apply();
})();
