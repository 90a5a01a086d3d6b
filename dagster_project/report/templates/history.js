
(function(){
  var el=document.getElementById('h-data'); if(!el) return;
  var d=JSON.parse(el.textContent), pick=document.getElementById('h-month');
  function esc(t){return String(t).replace(/[&<>"]/g,function(c){
    return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c];});}
  function code(ch){var i=ch.charCodeAt(0)-97; return i>=0&&i<d.codes.length?d.codes[i]:null;}
  function render(){
    var m=pick.value, s=d.m[m], counts={};
    for(var i=0;i<s.length;i++){var c=code(s[i]); if(c) counts[c]=(counts[c]||0)+1;}
    document.getElementById('h-cards').innerHTML=d.codes.map(function(c){var l=d.labels[c];
      return '<div class="hcard" data-status="'+c+'" style="border-top-color:'+l[2]+'"><span class="count">'+
        (counts[c]||0)+'</span><span class="lbl">'+esc(l[0])+'<br><small>'+esc(l[1])+
        '</small></span></div>';}).join('');
    var k=d.months.indexOf(m), prev=k>0?d.months[k-1]:null, items=[];
    if(prev){var p=d.m[prev];
      for(var j=0;j<s.length;j++){var a=code(p[j]), b=code(s[j]);
        if(a&&b&&a!==b) items.push('<li data-target="'+esc(d.targets[j])+'"><b>'+esc(d.targets[j])+'</b> '+
          esc(d.titles[d.targets[j]]||'')+'：'+esc(d.labels[a][0])+' → '+esc(d.labels[b][0])+'</li>');}}
    document.getElementById('h-period').textContent=prev?(prev+' → '+m):m;
    document.getElementById('h-changes').innerHTML=items.length?items.join(''):
      '<li class="muted">无变化 no change'+(prev?'':' (first month)')+'</li>';
  }
  pick.addEventListener('change',render); render();
})();
