// generated, do not edit: `npm run build:contracts` writes this from LoraLedgerSettlement.sol
// (solc 0.8.30+commit.73712a01.Emscripten.clang, {"optimizer":{"enabled":true,"runs":200},"evmVersion":"cancun"}, @openzeppelin/contracts 5.7.0)

export const LoraLedgerSettlementAbi = [
  {
    "inputs": [
      {
        "internalType": "address[]",
        "name": "posters_",
        "type": "address[]"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "constructor"
  },
  {
    "inputs": [],
    "name": "EmptyRecordsRoot",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "expected",
        "type": "uint64"
      },
      {
        "internalType": "uint64",
        "name": "got",
        "type": "uint64"
      }
    ],
    "name": "EpochOutOfOrder",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "InvalidProof",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "NotPoster",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "NothingToClaim",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "owner",
        "type": "address"
      }
    ],
    "name": "OwnableInvalidOwner",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      }
    ],
    "name": "OwnableUnauthorizedAccount",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster",
        "type": "address"
      }
    ],
    "name": "PosterUnderfunded",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ReentrancyGuardReentrantCall",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "TransferFailed",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "expected",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "sent",
        "type": "uint256"
      }
    ],
    "name": "WrongFunding",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ZeroAddress",
    "type": "error"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "poster",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "cumulativeAmount",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "paid",
        "type": "uint256"
      }
    ],
    "name": "Claimed",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "poster",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "uint64",
        "name": "epoch",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "recordsRoot",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "payoutRoot",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "total",
        "type": "uint256"
      }
    ],
    "name": "EpochPosted",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "previousOwner",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "newOwner",
        "type": "address"
      }
    ],
    "name": "OwnershipTransferred",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "poster",
        "type": "address"
      }
    ],
    "name": "PosterAdded",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "poster",
        "type": "address"
      }
    ],
    "name": "PosterRemoved",
    "type": "event"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster",
        "type": "address"
      }
    ],
    "name": "addPoster",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster",
        "type": "address"
      }
    ],
    "name": "balanceOf",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "funded",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "paidOut",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster",
        "type": "address"
      },
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "cumulativeAmount",
        "type": "uint256"
      },
      {
        "internalType": "bytes32[]",
        "name": "proof",
        "type": "bytes32[]"
      }
    ],
    "name": "claim",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "components": [
          {
            "internalType": "address",
            "name": "poster",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "cumulativeAmount",
            "type": "uint256"
          },
          {
            "internalType": "bytes32[]",
            "name": "proof",
            "type": "bytes32[]"
          }
        ],
        "internalType": "struct LoraLedgerSettlement.PosterClaim[]",
        "name": "parts",
        "type": "tuple[]"
      }
    ],
    "name": "claimMany",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "total",
        "type": "uint256"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster",
        "type": "address"
      },
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "cumulativeAmount",
        "type": "uint256"
      },
      {
        "internalType": "bytes32[]",
        "name": "proof",
        "type": "bytes32[]"
      }
    ],
    "name": "claimable",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      },
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "name": "claimed",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster",
        "type": "address"
      }
    ],
    "name": "isPoster",
    "outputs": [
      {
        "internalType": "bool",
        "name": "",
        "type": "bool"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster",
        "type": "address"
      }
    ],
    "name": "latestEpoch",
    "outputs": [
      {
        "internalType": "uint64",
        "name": "",
        "type": "uint64"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "owner",
    "outputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster",
        "type": "address"
      }
    ],
    "name": "payoutRoot",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster",
        "type": "address"
      },
      {
        "internalType": "uint64",
        "name": "epoch",
        "type": "uint64"
      }
    ],
    "name": "payoutRootOf",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "epoch",
        "type": "uint64"
      },
      {
        "internalType": "bytes32",
        "name": "recordsRoot_",
        "type": "bytes32"
      },
      {
        "internalType": "bytes32",
        "name": "payoutRoot_",
        "type": "bytes32"
      },
      {
        "internalType": "uint256",
        "name": "total",
        "type": "uint256"
      }
    ],
    "name": "postEpoch",
    "outputs": [],
    "stateMutability": "payable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster",
        "type": "address"
      },
      {
        "internalType": "uint64",
        "name": "epoch",
        "type": "uint64"
      }
    ],
    "name": "recordsRoot",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster",
        "type": "address"
      }
    ],
    "name": "removePoster",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "renounceOwnership",
    "outputs": [],
    "stateMutability": "pure",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "newOwner",
        "type": "address"
      }
    ],
    "name": "setOwner",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "newOwner",
        "type": "address"
      }
    ],
    "name": "transferOwnership",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  }
] as const;

export const LoraLedgerSettlementBytecode = '0x608060405234801561000f575f5ffd5b5060405161134738038061134783398101604081905261002e916101fa565b338061005357604051631e4fbdf760e01b81525f600482015260240160405180910390fd5b61005c816100e4565b5060017f9b779b17422d0df92223018b32b4d1fa46e071723d6817e2486d003becc55f005580515f036100a25760405163d92e233d60e01b815260040160405180910390fd5b5f5b81518110156100dd576100d58282815181106100c2576100c26102c4565b602002602001015161013360201b60201c565b6001016100a4565b50506102d8565b5f80546001600160a01b038381166001600160a01b0319831681178455604051919092169283917f8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e09190a35050565b6001600160a01b03811661015a5760405163d92e233d60e01b815260040160405180910390fd5b6001600160a01b0381165f9081526001602052604090205460ff161561017d5750565b6001600160a01b0381165f818152600160208190526040808320805460ff1916909217909155517faed470f4bebdbebe36217d1aaf626aa8322b5d299aa4e78e73e1d8cd170d541f9190a250565b634e487b7160e01b5f52604160045260245ffd5b80516001600160a01b03811681146101f5575f5ffd5b919050565b5f6020828403121561020a575f5ffd5b81516001600160401b0381111561021f575f5ffd5b8201601f8101841361022f575f5ffd5b80516001600160401b03811115610248576102486101cb565b604051600582901b90603f8201601f191681016001600160401b0381118282101715610276576102766101cb565b604052918252602081840181019290810187841115610293575f5ffd5b6020850194505b838510156102b9576102ab856101df565b81526020948501940161029a565b509695505050505050565b634e487b7160e01b5f52603260045260245ffd5b611062806102e55f395ff3fe6080604052600436106100fa575f3560e01c806370a0823111610092578063bd20189e11610062578063bd20189e14610360578063f2fde38b1461037f578063fabed4121461039e578063fdd86215146103bd578063fde181a9146103f5575f5ffd5b806370a0823114610279578063715018a6146102da5780638da5cb5b146102ee578063b41f799d14610314575f5ffd5b8063311b8bb3116100cd578063311b8bb3146101ce57806340ed01cc146101ed57806345abe9801461020c578063537390ef1461021f575f5ffd5b80630c9cbf0e146100fe57806313af4035146101475780631b25ba61146101685780632adce88f146101af575b5f5ffd5b348015610109575f5ffd5b50610134610118366004610d61565b600460209081525f928352604080842090915290825290205481565b6040519081526020015b60405180910390f35b348015610152575f5ffd5b50610166610161366004610d92565b610414565b005b348015610173575f5ffd5b5061019f610182366004610d92565b6001600160a01b03165f9081526001602052604090205460ff1690565b604051901515815260200161013e565b3480156101ba575f5ffd5b506101666101c9366004610d92565b610420565b3480156101d9575f5ffd5b506101346101e8366004610df2565b610431565b3480156101f8575f5ffd5b50610134610207366004610e56565b610528565b61016661021a366004610e7e565b61055b565b34801561022a575f5ffd5b50610261610239366004610d92565b6001600160a01b03165f9081526001602052604090205461010090046001600160401b031690565b6040516001600160401b03909116815260200161013e565b348015610284575f5ffd5b506102c5610293366004610d92565b6001600160a01b03165f908152600160205260409020600201546001600160801b0380821692600160801b9092041690565b6040805192835260208301919091520161013e565b3480156102e5575f5ffd5b50610166610751565b3480156102f9575f5ffd5b505f546040516001600160a01b03909116815260200161013e565b34801561031f575f5ffd5b5061013461032e366004610e56565b6001600160a01b0382165f9081526003602090815260408083206001600160401b038516845290915290205492915050565b34801561036b575f5ffd5b5061016661037a366004610d92565b61076c565b34801561038a575f5ffd5b50610166610399366004610d92565b6107dc565b3480156103a9575f5ffd5b506101666103b8366004610eb4565b610816565b3480156103c8575f5ffd5b506101346103d7366004610d92565b6001600160a01b03165f908152600160208190526040909120015490565b348015610400575f5ffd5b5061013461040f366004610eb4565b61089e565b61041d816107dc565b50565b610428610900565b61041d8161092e565b5f61043a6109c6565b5f5b828110156104e0573684848381811061045757610457610f1d565b90506020028101906104699190610f31565b905061049361047b6020830183610d92565b6104886040840184610f4f565b8985602001356109e1565b6104b0576040516309bde33960e01b815260040160405180910390fd5b6104cb6104c06020830183610d92565b878360200135610a75565b6104d59084610fa8565b92505060010161043c565b50805f03610501576040516312d37ee560e31b815260040160405180910390fd5b61050b8482610bd2565b61052160015f51602061100d5f395f51905f5255565b9392505050565b6001600160a01b0382165f9081526002602090815260408083206001600160401b03851684529091529020545b92915050565b335f908152600160205260409020805460ff1661058b57604051630edd024760e11b815260040160405180910390fd5b80546105a69061010090046001600160401b03166001610fbb565b6001600160401b0316856001600160401b03161461060b5780546105d99061010090046001600160401b03166001610fbb565b604051632abeb08d60e21b81526001600160401b03918216600482015290861660248201526044015b60405180910390fd5b8361062957604051636cbee87960e01b815260040160405180910390fd5b813414158061063e57506001600160801b0382115b15610665576040516346da3a2760e01b815260048101839052346024820152604401610602565b805468ffffffffffffffff0019166101006001600160401b03871602178155600181018390556002810180548391905f906106aa9084906001600160801b0316610fda565b82546001600160801b039182166101009390930a928302919092021990911617905550335f8181526002602090815260408083206001600160401b038a1680855290835281842089905584845260038352818420818552835292819020879055805188815291820187905281018590529091907f5dd307b481adb2717520b70e1c90ae89f975c356b7be16c2da2354916f909ba69060600160405180910390a35050505050565b604051631e4fbdf760e01b81525f6004820152602401610602565b610774610900565b6001600160a01b0381165f9081526001602052604090205460ff161561041d576001600160a01b0381165f81815260016020526040808220805460ff19169055517f1b2e95b5e2a9df0b7e7d84a41153d22ee364feaa795ed6555b8378cdb867e2449190a250565b6107e4610900565b6001600160a01b03811661080d57604051631e4fbdf760e01b81525f6004820152602401610602565b61041d81610c47565b61081e6109c6565b61082b85838387876109e1565b610848576040516309bde33960e01b815260040160405180910390fd5b5f610854868686610a75565b9050805f03610876576040516312d37ee560e31b815260040160405180910390fd5b6108808582610bd2565b5061089760015f51602061100d5f395f51905f5255565b5050505050565b5f6108ac86848488886109e1565b6108b757505f6108f7565b6001600160a01b038087165f908152600460209081526040808320938916835292905220548085116108e9575f6108f3565b6108f38186610ff9565b9150505b95945050505050565b5f546001600160a01b0316331461092c5760405163118cdaa760e01b8152336004820152602401610602565b565b6001600160a01b0381166109555760405163d92e233d60e01b815260040160405180910390fd5b6001600160a01b0381165f9081526001602052604090205460ff16156109785750565b6001600160a01b0381165f818152600160208190526040808320805460ff1916909217909155517faed470f4bebdbebe36217d1aaf626aa8322b5d299aa4e78e73e1d8cd170d541f9190a250565b6109ce610c96565b60025f51602061100d5f395f51905f5255565b6001600160a01b0385165f9081526001602081905260408220015480610a0a575f9150506108f7565b604080516001600160a01b03861660208201529081018490525f9060600160408051601f1981840301815282825280516020918201209083015201604051602081830303815290604052805190602001209050610a6987878484610cc5565b98975050505050505050565b6001600160a01b038084165f908152600460209081526040808320938616835292905290812054808311610aac575f915050610521565b610ab68184610ff9565b6001600160a01b0386165f9081526001602052604090206002810154919350906001600160801b0380821691610af5918691600160801b900416610fa8565b1115610b1f57604051638fa3c4c160e01b81526001600160a01b0387166004820152602401610602565b828160020160108282829054906101000a90046001600160801b0316610b459190610fda565b82546001600160801b039182166101009390930a9283029190920219909116179055506001600160a01b038681165f818152600460209081526040808320948a168084529482529182902088905581518881529081018790527f2f6639d24651730c7bf57c95ddbf96d66d11477e4ec626876f92c22e5f365e68910160405180910390a350509392505050565b5f826001600160a01b0316826040515f6040518083038185875af1925050503d805f8114610c1b576040519150601f19603f3d011682016040523d82523d5f602084013e610c20565b606091505b5050905080610c42576040516312171d8360e31b815260040160405180910390fd5b505050565b5f80546001600160a01b038381166001600160a01b0319831681178455604051919092169283917f8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e09190a35050565b5f51602061100d5f395f51905f525460020361092c57604051633ee5aeb560e01b815260040160405180910390fd5b5f82610cd2868685610cdc565b1495945050505050565b5f81815b84811015610d1457610d0a82878784818110610cfe57610cfe610f1d565b90506020020135610d1d565b9150600101610ce0565b50949350505050565b5f818310610d37575f828152602084905260409020610521565b505f9182526020526040902090565b80356001600160a01b0381168114610d5c575f5ffd5b919050565b5f5f60408385031215610d72575f5ffd5b610d7b83610d46565b9150610d8960208401610d46565b90509250929050565b5f60208284031215610da2575f5ffd5b61052182610d46565b5f5f83601f840112610dbb575f5ffd5b5081356001600160401b03811115610dd1575f5ffd5b6020830191508360208260051b8501011115610deb575f5ffd5b9250929050565b5f5f5f60408486031215610e04575f5ffd5b610e0d84610d46565b925060208401356001600160401b03811115610e27575f5ffd5b610e3386828701610dab565b9497909650939450505050565b80356001600160401b0381168114610d5c575f5ffd5b5f5f60408385031215610e67575f5ffd5b610e7083610d46565b9150610d8960208401610e40565b5f5f5f5f60808587031215610e91575f5ffd5b610e9a85610e40565b966020860135965060408601359560600135945092505050565b5f5f5f5f5f60808688031215610ec8575f5ffd5b610ed186610d46565b9450610edf60208701610d46565b93506040860135925060608601356001600160401b03811115610f00575f5ffd5b610f0c88828901610dab565b969995985093965092949392505050565b634e487b7160e01b5f52603260045260245ffd5b5f8235605e19833603018112610f45575f5ffd5b9190910192915050565b5f5f8335601e19843603018112610f64575f5ffd5b8301803591506001600160401b03821115610f7d575f5ffd5b6020019150600581901b3603821315610deb575f5ffd5b634e487b7160e01b5f52601160045260245ffd5b8082018082111561055557610555610f94565b6001600160401b03818116838216019081111561055557610555610f94565b6001600160801b03818116838216019081111561055557610555610f94565b8181038181111561055557610555610f9456fe9b779b17422d0df92223018b32b4d1fa46e071723d6817e2486d003becc55f00a26469706673582212203d84da2786c753464b770bcb473bb80843c1280df0fbebdfa999c364ab72ccb764736f6c634300081e0033' as const;
