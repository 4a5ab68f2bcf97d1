# Summarises PIT's CSV report per class: python3 bench/pit-summary.py target/pit-reports/mutations.csv
import csv, sys, collections
rows=list(csv.reader(open(sys.argv[1])))
per=collections.OrderedDict()
surv=[]
for r in [x for x in rows if len(x) >= 6]:
    f,cls,mut,meth,line,status=r[:6]
    d=per.setdefault(cls,collections.Counter())
    d[status]+=1
    if status in('SURVIVED','NO_COVERAGE'):
        surv.append((cls.split('.')[-1],meth,line,mut.split('.')[-1],status))
tot=collections.Counter()
print(f"{'class':45} {'mutants':>7} {'killed':>7} {'timeout':>7} {'survived':>8} {'no cov':>6} {'caught':>7}")
for cls in sorted(per):
    d=per[cls]; n=sum(d.values()); k=d['KILLED']+d['TIMED_OUT']+d['MEMORY_ERROR']+d['RUN_ERROR']
    tot+=d
    print(f"{cls:45} {n:7} {d['KILLED']:7} {d['TIMED_OUT']:7} {d['SURVIVED']:8} {d['NO_COVERAGE']:6} {100*k/n:6.1f}%")
n=sum(tot.values()); k=tot['KILLED']+tot['TIMED_OUT']+tot['MEMORY_ERROR']+tot['RUN_ERROR']
print(f"{'TOTAL':45} {n:7} {tot['KILLED']:7} {tot['TIMED_OUT']:7} {tot['SURVIVED']:8} {tot['NO_COVERAGE']:6} {100*k/n:6.1f}%")
print()
print("survivors (class method line mutator status):")
for s in sorted(surv, key=lambda x:(x[0],int(x[2]))):
    print("  "+" ".join(s))
