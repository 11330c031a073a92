[assembly: NUnit.Framework.Parallelizable(NUnit.Framework.ParallelScope.None)]
