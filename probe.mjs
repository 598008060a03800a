import { chromium } from 'playwright';
import { chromiumArgs, findChromium } from '/work/wt/playground/scripts/machine.js';
for (const args of [chromiumArgs, chromiumArgs.filter(a => a !== '--enable-unsafe-webgpu')]) {
  const b = await chromium.launch({ executablePath: findChromium(), args });
  const p = await b.newPage();
  await p.goto('about:blank');
  const r = await p.evaluate(async () => {
    const w = new Worker(URL.createObjectURL(new Blob([`onmessage=async()=>{const g=self.navigator.gpu; let a=null; try{a=g&&await g.requestAdapter()}catch(e){} postMessage({gpu:!!g, adapter:!!a, info: a? a.info.vendor+' '+a.info.architecture+' '+a.info.description:''})}`], {type:'text/javascript'})), {type:'module'});
    return await new Promise(res => { w.onmessage = e => res(e.data); w.postMessage(0); });
  });
  console.log(args.includes('--enable-unsafe-webgpu'), JSON.stringify(r));
  await b.close();
}
