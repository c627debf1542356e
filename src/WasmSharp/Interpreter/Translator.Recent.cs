using System.Diagnostics;

namespace WasmSharp.Interpreter;

/// <summary>
/// What the peephole rules know of the code just emitted: a record of each of the last few instructions
/// (<see cref="RecentInstructions"/>). <see cref="Emit(Op, bool)"/> records every instruction; the rules read the
/// records and mark them (the producer, a fused local write, a merge: <see cref="EmitDst"/>, <see cref="Rewrite"/>);
/// <see cref="Remove"/> drops the records of the code it removes; and where what follows is no longer the straight
/// continuation of what the records describe (a label that branches reach, code moved or copied in place),
/// <see cref="RecentInstructions.Clear"/> forgets them all.
/// </summary>
internal sealed partial class Translator
{
    /// <summary>One instruction of the recent code.</summary>
    private sealed class Emitted
    {
        /// <summary>The instruction as it stands: a merge rewrites it (<see cref="Rewrite"/>).</summary>
        public Op Op;

        /// <summary>Its words are [Start, End); a merge into the last instruction makes it longer.</summary>
        public int Start, End;

        /// <summary>Where the instruction writes its result (the slot operand's position), -1 if it has none, and the
        /// height of that temporary. After a fused local.set the slot holds the local.</summary>
        public int Dst, Height;

        /// <summary>It is the producer: the value it computed is in its temporary and nothing read it yet, so a
        /// consumer may take the instruction over, or a local.set make it write the local instead. At most one
        /// record is the producer, and only while nothing but a move or a store of its result follows it
        /// (<see cref="RecentInstructions.Push"/>).</summary>
        public bool Producer;

        /// <summary>How many producers right before it (at most two), each adjacent to the next, become the producer
        /// again one after the other as it and they are removed (<see cref="RecentInstructions.RemoveFrom"/>). Counted
        /// when it is emitted; a merge into it, or a call, leaves none.</summary>
        public int Below;

        /// <summary>The local a local.set fused into it makes it write, or -1 (see TryReclaimLocal, TakeAddImm). A
        /// merge forgets it: the merged instruction does more.</summary>
        public int Local;

        /// <summary>It ends the code again because what came after it was removed. A superinstruction merges only
        /// into an instruction nothing came after (<see cref="RecentInstructions.Mergeable"/>); the result of this
        /// one, if it is the producer, may still be taken over.</summary>
        public bool Uncovered;
    }

    /// <summary>The records of the last instructions emitted, newest last, each right after the one before, except
    /// that a run of local moves after the producer is held as its last move (<see cref="Push"/>). The rules look back
    /// at most four instructions.</summary>
    private sealed class RecentInstructions
    {
        private const int Capacity = 8;
        private readonly Emitted[] _ring = new Emitted[Capacity];
        private int _last;
        private int _count;

        public RecentInstructions()
        {
            for (int i = 0; i < Capacity; i++) _ring[i] = new Emitted();
        }

        /// <summary>The instruction that ends the code, if known.</summary>
        public Emitted? Last => _count > 0 ? _ring[_last] : null;

        /// <summary>The instruction <paramref name="k"/> before the last (0: the last), if known.</summary>
        public Emitted? Back(int k) => k < _count ? _ring[(_last - k) & (Capacity - 1)] : null;

        /// <summary>The last instruction if a superinstruction may merge into it: nothing came after it.</summary>
        public Emitted? Mergeable => Last is { Uncovered: false } last ? last : null;

        /// <summary>The last instruction if it is the producer: its result ends the code.</summary>
        public Emitted? LastProducer => Last is { Producer: true } last ? last : null;

        /// <summary>The producer, if nothing but local moves came after it (optimised code puts its phi moves
        /// between a comparison and the branch on it: see TryTakeCompare).</summary>
        public Emitted? ProducerBeforeMoves =>
            LastProducer ?? (Last is { Op: Op.Copy or Op.Copy2 } && Back(1) is { Producer: true } producer ? producer : null);

        /// <summary>Forgets every record.</summary>
        public void Clear() => _count = 0;

        /// <summary>Records instruction <paramref name="op"/> from <paramref name="start"/>, counting the producers
        /// right before it (<see cref="Emitted.Below"/>). It may read the producer's result, which is then no longer
        /// there to take, unless it <paramref name="keepsProducer"/>: a store of that result right after the producer
        /// (a local.set may still make the producer write a local: LocalSet), or a local move after the producer or
        /// after such moves, which takes the place of the move before it.</summary>
        public void Push(Op op, int start, bool keepsProducer = false)
        {
            var last = Last;
            int below = last is { Producer: true } ? Math.Min(last.Below + 1, 2) : 0;
            if (!keepsProducer) EndProducer();
            else if (last is { Producer: false })
            {
                Debug.Assert(op == Op.Copy && (last.Op is Op.Copy or Op.Copy2) && Back(1) is { Producer: true });
                Pop();
            }
            _last = (_last + 1) & (Capacity - 1);
            if (_count < Capacity) _count++;
            var r = _ring[_last];
            r.Op = op;
            r.Start = r.End = start;
            (r.Dst, r.Height, r.Producer, r.Below, r.Local, r.Uncovered) = (-1, 0, false, below, -1, false);
        }

        /// <summary>The last instruction grew to <paramref name="end"/> (an operand was emitted).</summary>
        public void Extend(int end)
        {
            if (_count > 0) _ring[_last].End = end;
        }

        /// <summary><paramref name="r"/> is the producer: its result is the temporary at <paramref name="height"/>,
        /// written through the slot at <paramref name="dst"/>.</summary>
        public void SetProducer(Emitted r, int dst, int height)
        {
            EndProducer();
            (r.Dst, r.Height, r.Producer) = (dst, height, true);
        }

        /// <summary>No result is there to take over any more.</summary>
        public void EndProducer()
        {
            for (int k = 0; k < _count; k++) Back(k)!.Producer = false;
        }

        /// <summary>Forgets the fused local writes (see TakeAddImm).</summary>
        public void ForgetLocalWrites()
        {
            for (int k = 0; k < _count; k++) Back(k)!.Local = -1;
        }

        /// <summary>The code from <paramref name="start"/> (where a recorded instruction starts) was removed. Removing
        /// the producer makes the producer right before it, if any (<see cref="Emitted.Below"/>), the producer again;
        /// the instruction that ends the code now is <see cref="Emitted.Uncovered"/>.</summary>
        public void RemoveFrom(int start)
        {
            bool removed = false;
            while (Last is { } last && last.Start >= start)
            {
                Pop();
                removed = true;
                if (Last is { } before)
                {
                    before.Producer = last.Producer && last.Below > 0;
                    if (before.Producer) before.Below = last.Below - 1;
                }
            }
            if (removed && Last is { } uncovered) uncovered.Uncovered = true;
        }

        private void Pop()
        {
            _last = (_last - 1) & (Capacity - 1);
            _count--;
        }
    }
}
