// Named checks for the node test scripts: check() runs one and prints "ok - name" or
// "not ok - name" with the failure; finish() exits 1 when any check failed.
let failures = 0;

export async function check(name, body) {
  try {
    await body();
    console.log(`ok - ${name}`);
  } catch (error) {
    failures += 1;
    console.log(`not ok - ${name}\n${error.stack ?? error}`);
  }
}

export function finish() {
  if (failures > 0) {
    console.log(`${failures} check(s) failed`);
    process.exit(1);
  }
}
